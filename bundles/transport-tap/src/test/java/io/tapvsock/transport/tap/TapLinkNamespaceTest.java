package io.tapvsock.transport.tap;

import io.tapvsock.transport.common.LinkCounters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tap transport against the real kernel: a namespace made for the test, the TAP opened inside it and
 * attached to the real stack on an epoll network loop, and the kernel's own ping and TCP through it. The host
 * side of the NAT is this JVM's 127.0.0.1.
 */
class TapLinkNamespaceTest {

    /** One bulk direction: enough frames to cross several read bursts and several 64 KiB TCP windows. */
    private static final int BULK_BYTES = 4 << 20;

    private TestNamespace namespace;
    private MultiThreadIoEventLoopGroup group;
    private Stack stack;
    private StackNetwork network;
    private final LinkCounters counters = TapTransportStatus.newCounters();
    private TapLink link;

    @BeforeEach
    void setUp() throws Exception {
        namespace = TestNamespace.create();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        startStack(NetworkSettings.defaults());
    }

    private void startStack(NetworkSettings settings) throws Exception {
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, settings, StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        network = new StackNetwork(stack);
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (link != null) {
                link.close();
            }
            group.submit(stack::close).get(10, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        } finally {
            namespace.close();
        }
    }

    private TapLink open(TapTransportConfig config) throws IOException {
        link = TapLink.open(network, config, ByteBufAllocator.DEFAULT, counters);
        return link;
    }

    /** The default configuration (offload on) in the test's namespace. */
    private TapTransportConfig inNamespace() {
        return new TapTransportConfig(Optional.of(namespace.path()), "tap0", MacAddress.DEFAULT_DEVICE, 0, true);
    }

    private TapTransportConfig inNamespaceWithoutOffload() {
        return new TapTransportConfig(Optional.of(namespace.path()), "tap0", MacAddress.DEFAULT_DEVICE, 0, true,
                false);
    }

    @Test
    void open_configuresTheInterfaceLikeSlirp4netns_andAttachesAPort() throws Exception {
        open(inNamespace());

        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 1500"), link);
        assertTrue(link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);
        assertTrue(Pattern.compile("[<,]UP[,>]").matcher(link).find(), link);
        String address = namespace.ip("-4", "addr", "show", "tap0");
        assertTrue(address.contains("inet 192.168.127.2/24"), address);
        String lo = namespace.ip("link", "show", "lo");
        assertTrue(Pattern.compile("[<,]UP[,>]").matcher(lo).find(), lo);
        String route = namespace.ip("-4", "route", "show", "default");
        assertTrue(route.contains("default via 192.168.127.1 dev tap0"), route);
        List<String> ports = group.submit(stack::describePorts).get(10, TimeUnit.SECONDS);
        assertEquals(1, ports.size(), ports.toString());
        assertTrue(ports.get(0).contains("tap tap0 in " + namespace.path()), ports.toString());
    }

    @Test
    void kernelPing_toTheGateway_isAnswered() throws Exception {
        open(inNamespace());

        TestNamespace.Result ping = namespace.exec("busybox", "ping", "-c", "2", "-W", "5", "192.168.127.1");

        assertEquals(0, ping.exitCode(), ping.output());
        assertTrue(ping.output().contains("2 packets received"), ping.output());
        assertTrue(counters.snapshot().get("framesIn") instanceof Long in && in >= 4, counters.snapshot().toString());
    }

    @Test
    void kernelTcp_toTheHostIp_reachesA127Server_bulkBothWays() throws Exception {
        open(inNamespace());

        bulkBothWays();

        // The guest's kernel only sends super-segments over a TAP that advertises TSO.
        Map<String, Object> snapshot = counters.snapshot();
        assertTrue((Long) snapshot.get("superSegmentsIn") > 0, snapshot.toString());
        assertTrue((Long) snapshot.get("offloadedFramesIn") >= (Long) snapshot.get("superSegmentsIn"),
                snapshot.toString());
        // And the stack hands the download over as super-segments the guest's kernel takes like GRO'd packets.
        assertTrue((Long) snapshot.get("superSegmentsOut") > 0, snapshot.toString());
        assertEquals(Map.of(), snapshot.get("dropsIn"), snapshot.toString());
        assertEquals(Map.of(), snapshot.get("dropsOut"), snapshot.toString());
        assertTrue(link.describe().contains("(offload)"), link.describe());
    }

    @Test
    void offloadOff_kernelTcp_bulkBothWays_inMtuSizedFrames() throws Exception {
        open(inNamespaceWithoutOffload());

        bulkBothWays();

        Map<String, Object> snapshot = counters.snapshot();
        assertEquals(0L, snapshot.get("offloadedFramesIn"), snapshot.toString());
        assertEquals(0L, snapshot.get("superSegmentsIn"), snapshot.toString());
        assertEquals(0L, snapshot.get("superSegmentsOut"), snapshot.toString());
        assertFalse(link.describe().contains("(offload)"), link.describe());
    }

    /** The guest sends BULK_BYTES to a 127.0.0.1 server through the NAT, then reads BULK_BYTES back. */
    private void bulkBothWays() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> serveOnce(server));

            // The guest sends BULK_BYTES, half-closes, then reads BULK_BYTES back; it prints both digests.
            String script = """
                    import hashlib, os, socket, sys
                    n = int(sys.argv[2])
                    data = os.urandom(n)
                    s = socket.create_connection(('192.168.127.254', int(sys.argv[1])), timeout=30)
                    s.sendall(data)
                    s.shutdown(socket.SHUT_WR)
                    got = hashlib.sha256()
                    while True:
                        chunk = s.recv(1 << 16)
                        if not chunk:
                            break
                        got.update(chunk)
                    print(hashlib.sha256(data).hexdigest(), got.hexdigest())
                    """;
            TestNamespace.Result client = namespace.exec("/usr/bin/python3", "-c", script,
                    Integer.toString(server.getLocalPort()), Integer.toString(BULK_BYTES));

            assertEquals(0, client.exitCode(), client.output());
            String[] digests = client.output().trim().split(" ");
            String[] host = served.get(60, TimeUnit.SECONDS).split(" ");
            assertEquals(digests[0], host[0], "what the host received");
            assertEquals(host[1], digests[1], "what the guest received");
        }
    }

    /** Accepts one connection, reads to EOF, sends back BULK_BYTES of pattern; returns both sha256 digests. */
    private static String serveOnce(ServerSocket server) {
        try (Socket socket = server.accept()) {
            socket.setSoTimeout(30_000);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.update(buffer, 0, n);
            }
            MessageDigest sent = MessageDigest.getInstance("SHA-256");
            OutputStream out = socket.getOutputStream();
            for (int i = 0; i < buffer.length; i++) {
                buffer[i] = (byte) (i * 31 + 7);
            }
            for (int left = BULK_BYTES; left > 0; left -= buffer.length) {
                int n = Math.min(left, buffer.length);
                out.write(buffer, 0, n);
                sent.update(buffer, 0, n);
            }
            socket.shutdownOutput();
            return HexFormat.of().formatHex(received.digest()) + " " + HexFormat.of().formatHex(sent.digest());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void close_detachesThePort_andTheInterfaceDisappears() throws Exception {
        open(inNamespace()).close();

        assertFalse(namespace.ip("link", "show").contains("tap0"));
        assertEquals(List.of(), group.submit(stack::describePorts).get(10, TimeUnit.SECONDS));
        link.close(); // idempotent
    }

    @Test
    void configureFalse_leavesAddressesAlone_andTakesTheGivenMtuAndName() throws Exception {
        open(new TapTransportConfig(Optional.of(namespace.path()), "guest7", MacAddress.parse("02:00:00:00:00:07"),
                9000, false));

        String link = namespace.ip("link", "show", "guest7");
        assertTrue(link.contains("mtu 9000"), link);
        assertTrue(link.contains("link/ether 02:00:00:00:00:07"), link);
        assertFalse(namespace.ip("-4", "addr", "show", "guest7").contains("inet "));
        assertFalse(namespace.ip("-4", "route", "show").contains("default"));
    }

    @Test
    void jumboMtu_fromTheNetwork_carriesBigFramesBothWays() throws Exception {
        group.submit(stack::close).get(10, TimeUnit.SECONDS);
        startStack(NetworkSettings.fromProperties(Map.of(NetworkSettings.MTU, "65520")));
        open(inNamespace());

        TestNamespace.Result ping = namespace.exec("busybox", "ping", "-c", "1", "-W", "5", "-s", "60000",
                "192.168.127.1");

        assertEquals(0, ping.exitCode(), ping.output());
        assertTrue(namespace.ip("link", "show", "tap0").contains("mtu 65520"));
    }

    @Test
    void missingNamespace_isRefused_namingThePath() {
        Path missing = Path.of("/var/run/netns/tvtap-missing-namespace");
        IOException e = assertThrows(IOException.class, () -> open(
                new TapTransportConfig(Optional.of(missing), "tap0", MacAddress.DEFAULT_DEVICE, 0, true)));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        link = null;
    }
}
