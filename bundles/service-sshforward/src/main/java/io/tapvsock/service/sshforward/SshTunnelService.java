package io.tapvsock.service.sshforward;

import io.tapvsock.api.SshTunnel;
import io.tapvsock.api.SshTunnels;
import io.tapvsock.api.StatsSource;
import io.tapvsock.service.sshforward.core.SshForward;
import io.tapvsock.service.sshforward.core.SshForwardConfig;
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
 * The forwarder's ssh-tunnel exposes ({@link SshTunnels}): each is an {@link SshForward} whose session is made at
 * its first connection, on the bundle's SSH client and host socket loop; their counters are "service-sshtunnel"
 * in /stats.
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
    private final List<SshForward> open = new CopyOnWriteArrayList<>();

    @Activate
    public SshTunnelService(@Reference(name = "forwards") SshForwards forwards) {
        this.forwards = forwards;
    }

    @Deactivate
    void deactivate() {
        open.forEach(SshForward::close);
        open.clear();
    }

    /** The key is read now, so a bad one is refused when the tunnel is asked for, not at its first connection. */
    @Override
    public SshTunnel open(Path local, String user, InetSocketAddress sshd, Path identity, String guestSocket)
            throws IOException {
        GuestSshClient.loadIdentity(new SshTarget(sshd, user, identity));
        SshForwardConfig config = new SshForwardConfig(local, guestSocket, user, identity);
        SshForward tunnel = new SshForward(config, forwards.hostLoop(), forwards.client(), () -> sshd, counters,
                false);
        open.add(tunnel);
        return () -> {
            if (open.remove(tunnel)) {
                tunnel.close();
            }
        };
    }

    @Override
    public Map<String, Object> snapshot() {
        List<SshForward> tunnels = List.copyOf(open);
        return counters.snapshot("tunnels", tunnels.size(),
                (int) tunnels.stream().filter(SshForward::sessionUp).count());
    }
}
