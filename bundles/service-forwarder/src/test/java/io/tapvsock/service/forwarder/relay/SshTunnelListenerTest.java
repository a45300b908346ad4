package io.tapvsock.service.forwarder.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.SshTunnel;
import io.tapvsock.api.SshTunnels;
import io.tapvsock.service.forwarder.core.Forward;
import io.tapvsock.service.forwarder.core.ForwardException;
import io.tapvsock.service.forwarder.core.ForwardProtocol;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import io.tapvsock.service.forwarder.core.Listener;
import io.tapvsock.service.forwarder.core.SshTunnelUrl;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unix forward's host side with an ssh-tunnel:// remote: the tunnel is asked for before the socket is bound,
 * refusals carry the reason, and the tunnel lives exactly as long as the listener. The SSH side is a recording
 * {@link SshTunnels} (the real one, over a real sshd, is SshTunnelExposeTest's).
 */
class SshTunnelListenerTest {

    @TempDir
    Path dir;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final Recording service = new Recording();

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private NettyListeners listeners(SshTunnels tunnels) {
        return new NettyListeners(group.next(), null, null, () -> null, ForwarderConfig::defaults,
                new ForwarderCounters(), () -> tunnels);
    }

    private Listener open(NettyListeners listeners, Path local, String remote) throws ForwardException {
        return listeners.openSshTunnel(ForwardProtocol.UNIX, new Forward(local.toString(), remote, "unix"),
                SshTunnelUrl.parse(remote));
    }

    @Test
    void withoutTheSshBundle_refusedWithTheReason_nothingListens() {
        Path local = dir.resolve("t.sock");
        ForwardException refused = assertThrows(ForwardException.class,
                () -> open(listeners(null), local, "ssh-tunnel://core@192.168.127.2/s?key=/k"));
        assertEquals("ssh-tunnel remotes need the service-sshforward bundle, which is not running",
                refused.getMessage());
        assertTrue(Files.notExists(local));
    }

    @Test
    void anUnreadableKey_refusedNamingIt() {
        service.refusal = new IOException("identity /k: no such file");
        ForwardException refused = assertThrows(ForwardException.class,
                () -> open(listeners(service), dir.resolve("t.sock"), "ssh-tunnel://core@192.168.127.2/s?key=/k"));
        assertEquals("ssh-tunnel ssh-tunnel://core@192.168.127.2/s?key=/k: identity /k: no such file",
                refused.getMessage());
    }

    @Test
    void aFailedBind_closesTheTunnel() throws IOException {
        Path notASocket = Files.writeString(dir.resolve("file"), "x");
        ForwardException refused = assertThrows(ForwardException.class,
                () -> open(listeners(service), notASocket, "ssh-tunnel://core@192.168.127.2/s?key=/k"));
        assertTrue(refused.getMessage().startsWith("listen unix " + notASocket + ": "), refused.getMessage());
        assertEquals(List.of("open core 192.168.127.2:22 /s /k", "close"), service.events);
    }

    @Test
    void connectionsGoToTheTunnel_closingTheListenerClosesIt() throws Exception {
        Path local = dir.resolve("t.sock");
        Listener listener = open(listeners(service), local, "ssh-tunnel://core@192.168.127.2:2222/run/a.sock?key=/k");
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(local));
            assertTrue(service.relayed.await(10, TimeUnit.SECONDS), "the connection was handed to the tunnel");
        }
        listener.close();
        assertEquals(List.of("open core 192.168.127.2:2222 /run/a.sock /k", "relay", "close"), service.events);
    }

    /** Records what the forwarder asks of the SSH side; refuses when told to. */
    private static final class Recording implements SshTunnels {
        final List<String> events = new ArrayList<>();
        final CountDownLatch relayed = new CountDownLatch(1);
        IOException refusal;

        @Override
        public SshTunnel open(String user, InetSocketAddress sshd, Path identity, String guestSocket)
                throws IOException {
            if (refusal != null) {
                throw refusal;
            }
            events.add("open " + user + " " + sshd.getAddress().getHostAddress() + ":" + sshd.getPort() + " "
                    + guestSocket + " " + identity);
            return new SshTunnel() {
                @Override
                public void relay(Channel host) {
                    synchronized (events) {
                        events.add("relay");
                    }
                    relayed.countDown();
                    host.close();
                }

                @Override
                public void close() {
                    synchronized (events) {
                        events.add("close");
                    }
                }
            };
        }
    }
}
