package io.tapvsock.service.sshforward;

import io.netty.channel.Channel;
import io.tapvsock.api.SshTunnel;
import io.tapvsock.api.SshTunnels;
import io.tapvsock.api.StatsSource;
import io.tapvsock.service.sshforward.core.GuestSocketRelay;
import io.tapvsock.service.sshforward.core.SshForwardCounters;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import io.tapvsock.service.sshforward.ssh.SshTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The forwarder's ssh-tunnel exposes ({@link SshTunnels}), over the bundle's SSH client; their counters are
 * "service-sshtunnel" in /stats.
 *
 * <p>Each tunnel (one per expose) has its own session, not one shared per user, address and key: unexposing
 * closes exactly that forward's session and connections, a session's failure (a key replaced, sshd restarted)
 * touches one forward, and gvproxy does the same (one SSH client per expose). Few exposes go to one guest, so the
 * extra sessions cost little.
 */
@Component(service = {SshTunnels.class, StatsSource.class}, property = StatsSource.NAME + "=service-sshtunnel")
public final class SshTunnelService implements SshTunnels, StatsSource {

    private final SshForwards forwards;
    private final SshForwardCounters counters = new SshForwardCounters();
    private final List<GuestSocketRelay> open = new CopyOnWriteArrayList<>();

    @Activate
    public SshTunnelService(@Reference(name = "forwards") SshForwards forwards) {
        this.forwards = forwards;
    }

    @Deactivate
    void deactivate() {
        open.forEach(GuestSocketRelay::close);
        open.clear();
    }

    /** The key is read now, so a bad one is refused when the tunnel is asked for, not at its first connection. */
    @Override
    public SshTunnel open(String user, InetSocketAddress sshd, Path identity, String guestSocket)
            throws IOException {
        if (guestSocket == null || guestSocket.isEmpty()) {
            throw new IllegalArgumentException("no guest socket path");
        }
        SshTarget target = new SshTarget(sshd, user, identity);
        GuestSshClient.loadIdentity(target);
        GuestSocketRelay relay = new GuestSocketRelay("ssh-tunnel " + target + guestSocket, guestSocket,
                forwards.eventLoop(), forwards.client(), () -> target, counters);
        open.add(relay);
        return new OpenTunnel(relay);
    }

    /** A tunnel handed out: leaves the list when closed (a closed relay must not be counted nor closed again). */
    private final class OpenTunnel implements SshTunnel {
        private final GuestSocketRelay relay;

        OpenTunnel(GuestSocketRelay relay) {
            this.relay = relay;
        }

        /** A tunnel closed (also by this component's deactivation) takes no connection. */
        @Override
        public void relay(Channel host) {
            if (open.contains(relay)) {
                relay.relay(host);
            } else {
                host.close();
            }
        }

        @Override
        public void close() {
            if (open.remove(relay)) {
                relay.close();
            }
        }
    }

    @Override
    public Map<String, Object> snapshot() {
        List<GuestSocketRelay> tunnels = List.copyOf(open);
        return counters.snapshot("tunnels", tunnels.size(),
                (int) tunnels.stream().filter(GuestSocketRelay::sessionUp).count());
    }
}
