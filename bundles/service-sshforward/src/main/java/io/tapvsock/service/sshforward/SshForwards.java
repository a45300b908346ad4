package io.tapvsock.service.sshforward;

import io.netty.channel.EventLoop;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.StatsSource;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.sshforward.core.SshForward;
import io.tapvsock.service.sshforward.core.SshForwardConfig;
import io.tapvsock.service.sshforward.core.SshForwardCounters;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The bundle's shared part: the SSH client (whose connections the virtual network opens into the guest), the open
 * forwards and their counters ("service-sshforward" in /stats). Each configured forward
 * ({@link SshForwardComponent}) opens through it.
 */
@Component(service = {SshForwards.class, StatsSource.class}, property = StatsSource.NAME + "=service-sshforward")
public final class SshForwards implements StatsSource {

    /** sshd's port on the guest, as gvproxy dials it. */
    static final int SSH_PORT = 22;

    private final VirtualNetwork network;
    private final GuestSshClient client;
    private final SshForwardCounters counters = new SshForwardCounters();
    private final List<SshForward> open = new CopyOnWriteArrayList<>();

    @Activate
    public SshForwards(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "connector") GuestTcpConnector connector) {
        this.network = network;
        // The guest sees the SSH connection come from the host IP, as a forwarded loopback client does.
        this.client = new GuestSshClient(connector, () -> new InetSocketAddress(inet(network.settings().hostIp()), 0));
    }

    @Deactivate
    void deactivate() {
        open.forEach(SshForward::close);
        open.clear();
        client.close();
    }

    /** Listens at the configured socket and starts the session. Not on an event loop. */
    SshForward open(SshForwardConfig config) throws IOException {
        SshForward forward = new SshForward(config, network.eventLoop(), client, this::sshAddress, counters);
        open.add(forward);
        return forward;
    }

    void close(SshForward forward) {
        open.remove(forward);
        forward.close();
    }

    /** The SSH client every forward and tunnel uses. */
    GuestSshClient client() {
        return client;
    }

    /** The loop for host sockets and their connections: the network's. */
    EventLoop hostLoop() {
        return network.eventLoop();
    }

    /** The open forwards, by socket path. */
    List<SshForward> list() {
        return open.stream().sorted(Comparator.comparing(forward -> forward.config().socket().toString())).toList();
    }

    private InetSocketAddress sshAddress() {
        NetworkSettings settings = network.settings();
        return new InetSocketAddress(inet(settings.deviceIp()), SSH_PORT);
    }

    private static InetAddress inet(Ipv4Address address) {
        try {
            return InetAddress.getByAddress(address.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }

    @Override
    public Map<String, Object> snapshot() {
        List<SshForward> forwards = List.copyOf(open);
        return counters.snapshot(forwards.size(), (int) forwards.stream().filter(SshForward::sessionUp).count());
    }
}
