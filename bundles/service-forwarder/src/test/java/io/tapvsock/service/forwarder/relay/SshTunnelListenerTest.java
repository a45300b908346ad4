package io.tapvsock.service.forwarder.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.DefaultEventLoop;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A unix forward with an ssh-tunnel:// remote goes to the SSH bundle's {@link SshTunnels} with the parsed remote;
 * refusals carry the reason, and the tunnel lives exactly as long as the forward's listener. The SSH side here is
 * a recording one (the real one, over a real sshd, is SshTunnelExposeTest's).
 */
class SshTunnelListenerTest {

    private static final String REMOTE = "ssh-tunnel://core@192.168.127.2:2222/run/a.sock?key=/k";

    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final Recording service = new Recording();

    @AfterEach
    void stop() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Listener open(SshTunnels tunnels, ForwardProtocol protocol) throws ForwardException {
        NettyListeners listeners = new NettyListeners(loop, null, null, () -> null, ForwarderConfig::defaults,
                new ForwarderCounters(), () -> tunnels);
        return listeners.openSshTunnel(protocol, new Forward("/tmp/t.sock", REMOTE, protocol.text()),
                SshTunnelUrl.parse(REMOTE));
    }

    @Test
    void theTunnelGetsTheRemote_andClosesWithTheListener() throws ForwardException {
        Listener listener = open(service, ForwardProtocol.UNIX);
        assertEquals(List.of("open /tmp/t.sock core 192.168.127.2:2222 /run/a.sock /k"), service.events);
        listener.close();
        assertEquals(List.of("open /tmp/t.sock core 192.168.127.2:2222 /run/a.sock /k", "close"), service.events);
    }

    @Test
    void withoutTheSshBundle_refusedWithTheReason() {
        assertEquals("ssh-tunnel remotes need the service-sshforward bundle, which is not running",
                assertThrows(ForwardException.class, () -> open(null, ForwardProtocol.UNIX)).getMessage());
    }

    @Test
    void theSshBundlesRefusal_isTheReason() {
        service.refusal = new IOException("identity /k: no such file");
        assertEquals("ssh-tunnel " + REMOTE + ": identity /k: no such file",
                assertThrows(ForwardException.class, () -> open(service, ForwardProtocol.UNIX)).getMessage());
    }

    @Test
    void npipe_isRefusedHere() {
        assertEquals("npipe forwarding needs Windows named pipes",
                assertThrows(ForwardException.class, () -> open(service, ForwardProtocol.NPIPE)).getMessage());
        assertEquals(List.of(), service.events);
    }

    /** Records what the forwarder asks of the SSH side; refuses when told to. */
    private static final class Recording implements SshTunnels {
        final List<String> events = new ArrayList<>();
        IOException refusal;

        @Override
        public SshTunnel open(Path local, String user, InetSocketAddress sshd, Path identity, String guestSocket)
                throws IOException {
            if (refusal != null) {
                throw refusal;
            }
            events.add("open " + local + " " + user + " " + sshd.getAddress().getHostAddress() + ":" + sshd.getPort()
                    + " " + guestSocket + " " + identity);
            return () -> events.add("close");
        }
    }
}
