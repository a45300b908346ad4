package io.tapvsock.tap.forwarder;

import static io.tapvsock.tap.forwarder.HyperkitFrames.readExactly;
import static io.tapvsock.tap.forwarder.HyperkitFrames.readFrame;
import static io.tapvsock.tap.forwarder.HyperkitFrames.writeFrame;
import static io.tapvsock.tap.forwarder.HyperkitFrames.writeFully;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tapvsock.tap.ArpFrames;
import io.tapvsock.tap.Ethtool;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TestNamespace;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gvforwarder's {@code -url unix:///path}: the forwarder as a separate process in a test namespace, against a
 * scripted gvproxy API endpoint on a unix socket. Each connection starts with gvforwarder's POST /connect head,
 * byte for byte, and no answer; then frames go both ways with hyperkit framing (no vnet hello, no virtio-net
 * header on the TAP); a dropped connection or a broken length brings a new connection with a new head.
 */
class ForwarderConnectTest {

    private static final String GO_CONNECT_HEAD =
            "POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n";
    private static final byte[] GUEST_MAC = TapConfig.parseMac("5a:94:ef:e4:0c:ee");
    private static final byte[] PEER_MAC = TapConfig.parseMac("02:00:00:00:00:02");
    private static final byte[] GUEST_IP = {10, 99, 0, 1};
    private static final byte[] PEER_IP = {10, 99, 0, 2};
    /** Safety net only: a broken forwarder fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    private TestNamespace namespace;
    private ServerSocketChannel server;
    private Process forwarder;
    private Path log;
    private Path socket;
    private final ExecutorService waiter = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(DhcpClient.onPath("busybox"), "busybox (ping) is needed");
        namespace = TestNamespace.create();
        socket = dir.resolve("api.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        log = dir.resolve("forwarder.log");
    }

    @AfterEach
    void stop() throws Exception {
        if (namespace == null) {
            return;
        }
        try {
            if (forwarder != null && forwarder.isAlive()) {
                forwarder.destroy();
                if (!forwarder.waitFor(WAIT_SECONDS, TimeUnit.SECONDS)) {
                    forwarder.destroyForcibly();
                }
            }
            waiter.shutdownNow();
            server.close();
        } finally {
            namespace.close();
        }
    }

    private void startForwarder(String... extra) throws Exception {
        Path classes = Path.of(ForwarderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), ForwarderMain.class.getName(),
                "-url", "unix://" + socket, "-iface", "tap0", "-mtu", "1500", "-debug", "-dhcp=false"));
        command.addAll(List.of(extra));
        forwarder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void postConnectHead_thenHyperkitFramesBothWays_reconnectsWithANewHead() throws Exception {
        startForwarder();
        SocketChannel connection = acceptWithHead();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 1500") && link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);
        assertEquals(0, Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTSO),
                "no vnet mode on gvforwarder's URL forms");

        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");

        // Everything after the head is hyperkit-framed Ethernet: a QEMU-framed hello would read as length 0.
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = readFrame(connection, frame);
        } while (!ArpFrames.isRequestFor(frame, 0, length, PEER_IP));
        assertArrayEquals(GUEST_MAC, ArpFrames.senderMac(frame, 0));

        writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

        // The server drops the connection: a new one, with the head again.
        connection.close();
        connection = acceptWithHead();
        awaitFrameFromGuest(connection, frame);

        // A length of 0 breaks the framing: the forwarder hangs up and comes back.
        writeFully(connection, ByteBuffer.wrap(new byte[] {0, 0}));
        assertEndOfStream(connection);
        connection.close();
        connection = acceptWithHead();
        awaitFrameFromGuest(connection, frame);

        forwarder.destroy(); // SIGTERM
        assertTrue(forwarder.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, forwarder.exitValue(), output);
        assertFalse(namespace.ipOutput("link", "show").contains("tap0"), "the TAP goes with the forwarder");
        assertTrue(output.contains("framing error: frame length 0 (accepted: 1..65535)"), output);
        assertTrue(output.contains("reconnected to unix://"), output);
        connection.close();
    }

    /** Accepts the forwarder's next connection and checks its first bytes are gvforwarder's head. */
    private SocketChannel acceptWithHead() throws Exception {
        SocketChannel connection;
        try {
            connection = waiter.submit(server::accept).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("forwarder did not connect; its log:\n" + Files.readString(log), e);
        }
        byte[] head = waiter.submit(() -> readExactly(connection, GO_CONNECT_HEAD.length()))
                .get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(GO_CONNECT_HEAD, new String(head, StandardCharsets.US_ASCII));
        return connection;
    }

    private void awaitFrameFromGuest(SocketChannel connection, ByteBuffer frame) throws Exception {
        waiter.submit(() -> readFrame(connection, frame)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        byte[] source = new byte[6];
        frame.get(6, source);
        assertArrayEquals(GUEST_MAC, source);
    }

    private void assertEndOfStream(SocketChannel channel) throws Exception {
        ByteBuffer sink = ByteBuffer.allocate(65536);
        waiter.submit(() -> {
            while (channel.read(sink.clear()) >= 0) {
                // frames sent before the forwarder saw the bad prefix
            }
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }
}
