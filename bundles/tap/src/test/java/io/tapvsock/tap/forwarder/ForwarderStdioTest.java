package io.tapvsock.tap.forwarder;

import static io.tapvsock.tap.forwarder.HyperkitFrames.readFrame;
import static io.tapvsock.tap.forwarder.HyperkitFrames.writeFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tapvsock.tap.ArpFrames;
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
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gvforwarder's {@code -url stdio:/path/to/program?k=v}: the forwarder (in a test namespace) starts a small
 * script with one -k=v argument per query parameter; the script records them and joins its stdin and stdout to
 * the test's unix socket with socat, so the test sees the child's side of the stream: hyperkit frames, no
 * request head. When the child exits (the test hangs up, socat ends), the forwarder starts it again.
 */
class ForwarderStdioTest {

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
    private Path args;
    private Path script;
    private final ExecutorService waiter = Executors.newCachedThreadPool();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(DhcpClient.onPath("busybox") && DhcpClient.onPath("socat"), "busybox and socat are needed");
        namespace = TestNamespace.create();
        socket = dir.resolve("peer.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        log = dir.resolve("forwarder.log");
        args = dir.resolve("args.log");
        script = dir.resolve("peer.sh");
        Files.writeString(script, """
                #!/bin/sh
                # The child of a stdio: URL: records its arguments, then relays stdin/stdout to -socket.
                for arg in "$@"; do
                  case "$arg" in -socket=*) socket="${arg#-socket=}" ;; esac
                done
                printf '%s\\n' "$*" >> "%s"
                exec socat - "UNIX-CONNECT:$socket"
                """.replace("\"%s\"", "\"" + args + "\""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
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

    @Test
    void childGetsFlags_framesOverItsStdio_andIsStartedAgainAfterItExits() throws Exception {
        // No -mtu: gvforwarder's default 4000.
        Path classes = Path.of(ForwarderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        forwarder = new ProcessBuilder("ip", "netns", "exec", namespace.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), ForwarderMain.class.getName(),
                "-url", "stdio:" + script + "?socket=" + socket + "&mode=test+run", "-debug", "-dhcp=false")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        SocketChannel connection = accept();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 4000") && link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);

        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = readFrame(connection, frame); // the very first bytes are a frame: no request head
        } while (!ArpFrames.isRequestFor(frame, 0, length, PEER_IP));
        assertArrayEquals(GUEST_MAC, ArpFrames.senderMac(frame, 0));

        writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

        // Hanging up ends socat, so the child exits: the forwarder starts a new one.
        connection.close();
        connection = accept();
        SocketChannel second = connection;
        waiter.submit(() -> readFrame(second, frame)).get(WAIT_SECONDS, TimeUnit.SECONDS);

        String flags = "-socket=" + socket + " -mode=test run";
        assertEquals(List.of(flags, flags), Files.readAllLines(args, StandardCharsets.UTF_8));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        // Why it was lost depends on who noticed first: the child's exit, or a write into its closed stdin.
        assertTrue(output.contains("connection to stdio:" + script) && output.contains(" lost: "), output);
        assertTrue(output.contains("reconnected to stdio:"), output);

        forwarder.destroy(); // SIGTERM: the forwarder kills its child, so socat's side ends too
        assertTrue(forwarder.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(0, forwarder.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        ByteBuffer sink = ByteBuffer.allocate(65536);
        waiter.submit(() -> {
            while (second.read(sink.clear()) >= 0) {
                // frames in flight before the child died
            }
            return null;
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
        connection.close();
    }

    private SocketChannel accept() throws Exception {
        try {
            return waiter.submit(server::accept).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the child did not connect; the forwarder's log:\n" + Files.readString(log), e);
        }
    }
}
