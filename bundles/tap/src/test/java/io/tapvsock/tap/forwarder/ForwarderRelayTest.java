package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tapvsock.tap.ArpFrames;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TestNamespace;
import java.io.EOFException;
import java.io.IOException;
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
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder as a separate process inside a test namespace, against a test server on a unix socket that
 * speaks the qemu framing: the kernel's ARP requests arrive framed, an ARP reply sent back reaches the kernel,
 * and the forwarder reconnects after the server drops the connection or breaks the framing.
 */
class ForwarderRelayTest {

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
    private final ExecutorService waiter = Executors.newCachedThreadPool();

    private Path socket;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(DhcpClient.onPath("busybox"), "busybox (ping, udhcpc) is needed");
        namespace = TestNamespace.create();
        socket = dir.resolve("qemu.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        log = dir.resolve("forwarder.log");
    }

    /** {@code ip netns exec NS java ... ForwarderMain -url qemu+unix://SOCK -iface tap0 -mtu 1500 -debug extra} */
    private void startForwarder(String... extra) throws Exception {
        Path classes = Path.of(ForwarderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), ForwarderMain.class.getName(),
                "-url", "qemu+unix://" + socket, "-iface", "tap0", "-mtu", "1500", "-debug"));
        command.addAll(List.of(extra));
        forwarder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (namespace == null) {
            return;
        }
        try {
            if (forwarder != null && forwarder.isAlive()) {
                forwarder.destroy(); // SIGTERM: the forwarder also ends the DHCP client it started
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
    void relaysBothWays_reconnects_andExits0OnSigterm() throws Exception {
        startForwarder("-dhcp=false");
        SocketChannel connection = accept();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 1500"), link);
        assertTrue(link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);
        assertTrue(Pattern.compile("[<,]UP[,>]").matcher(link).find(), link);

        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");

        // Host side of the TAP: the kernel's ARP request arrives with the qemu framing.
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = readFrame(connection, frame);
        } while (!ArpFrames.isRequestFor(frame, 0, length, PEER_IP));
        assertArrayEquals(GUEST_MAC, ArpFrames.senderMac(frame, 0));

        // Our reply goes the other way and lands in the kernel's neighbour table.
        writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

        // The server drops the connection: the forwarder keeps the TAP and comes back.
        connection.close();
        connection = accept();
        awaitFrameFromGuest(connection, frame);

        // A length prefix of 0 breaks the framing: the forwarder hangs up, then reconnects.
        writeRaw(connection, new byte[] {0, 0, 0, 0});
        assertEndOfStream(connection);
        connection.close();
        connection = accept();
        awaitFrameFromGuest(connection, frame);
        assertTrue(namespace.ip("link", "show", "tap0").contains("tap0"));

        forwarder.destroy(); // SIGTERM
        assertTrue(forwarder.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, forwarder.exitValue(), output);
        assertFalse(namespace.ipOutput("link", "show").contains("tap0"), "the TAP goes with the forwarder");
        assertTrue(output.contains("connection to qemu+unix://"), output);
        assertTrue(output.contains(" lost: ") && output.contains("; reconnecting every second"), output);
        assertTrue(output.contains("framing error: frame length 0"), output);
        assertTrue(output.contains("reconnected to qemu+unix://"), output);
        connection.close();
    }

    @Test
    void dhcpByDefault_runsClientOnceConnected_whoseDiscoverArrivesFramed() throws Exception {
        startForwarder();
        SocketChannel connection = accept();
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = waiter.submit(() -> readFrame(connection, frame)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } while (!isDhcpRequest(frame, length));
        byte[] source = new byte[6];
        frame.get(6, source);
        assertArrayEquals(GUEST_MAC, source);
        connection.close();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("udhcpc -f -q -i tap0"), output);
    }

    /** IPv4 (no options assumed) UDP to port 67. */
    private static boolean isDhcpRequest(ByteBuffer frame, int length) {
        if (length < 42 || frame.getShort(12) != 0x0800 || frame.get(23) != 17) {
            return false;
        }
        int ipHeader = (frame.get(14) & 0x0f) * 4;
        return frame.getShort(14 + ipHeader + 2) == 67;
    }

    private SocketChannel accept() throws Exception {
        try {
            return waiter.submit(server::accept).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("forwarder did not connect; its log:\n" + Files.readString(log), e);
        }
    }

    /** Any frame the guest kernel sends (the pings go on) proves the new connection relays. */
    private void awaitFrameFromGuest(SocketChannel connection, ByteBuffer frame) throws Exception {
        int length = waiter.submit(() -> readFrame(connection, frame)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertTrue(length >= 14, "frame of " + length);
        byte[] source = new byte[6];
        frame.get(6, source);
        assertArrayEquals(GUEST_MAC, source);
    }

    /** Reads one 4-byte big-endian length and that many bytes into frame[0..length). */
    private static int readFrame(SocketChannel channel, ByteBuffer frame) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(4);
        readFully(channel, prefix);
        int length = prefix.getInt(0);
        assertTrue(length > 0 && length <= FrameRelay.MAX_FRAME, "length " + length);
        frame.clear().limit(length);
        readFully(channel, frame);
        return length;
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
    }

    private static void writeFrame(SocketChannel channel, byte[] frame) throws IOException {
        ByteBuffer framed = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).flip();
        while (framed.hasRemaining()) {
            channel.write(framed);
        }
    }

    private static void writeRaw(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Drains whatever frames were in flight until the forwarder's close shows as end of stream. */
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
