package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tapvsock.tap.ArpFrames;
import io.tapvsock.tap.Ethtool;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TestNamespace;
import io.tapvsock.tap.VnetHello;
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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forwarder's vnet-mode handshake, as a separate process in a test namespace against a scripted daemon on a
 * unix socket: the hello comes first, an answer switches the TAP's offload features on and the records to
 * header + frame (after a confirmation), a reconnect starts over in plain mode, no answer keeps plain mode, and
 * -offload=false sends no hello at all.
 */
class ForwarderVnetTest {

    private static final byte[] GUEST_MAC = TapConfig.parseMac("5a:94:ef:e4:0c:ee");
    private static final byte[] DAEMON_MAC = TapConfig.parseMac("5a:94:ef:e4:0c:dd");
    private static final byte[] PEER_MAC = TapConfig.parseMac("02:00:00:00:00:02");
    private static final byte[] GUEST_IP = {10, 99, 0, 1};
    private static final byte[] PEER_IP = {10, 99, 0, 2};
    private static final byte[] EMPTY_HEADER = new byte[10];
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
        socket = dir.resolve("qemu.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        log = dir.resolve("forwarder.log");
    }

    private void startForwarder(String... extra) throws Exception {
        Path classes = Path.of(ForwarderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), ForwarderMain.class.getName(),
                "-url", "qemu+unix://" + socket, "-iface", "tap0", "-mtu", "1500", "-debug", "-dhcp=false"));
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
    void answer_switchesToVnetMode_andAReconnectStartsOverPlain() throws Exception {
        startForwarder();
        SocketChannel connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection), "the hello comes first");
        assertEquals(0, tso(), "plain mode: no offload features");

        writeFrame(connection, VnetHello.to(GUEST_MAC, DAEMON_MAC));
        awaitTso(1);
        assertEquals(1, Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTXCSUM));

        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
        // Plain frames the guest sent before the forwarder read the answer may come first (IPv6 chatter).
        byte[] confirmation = VnetHello.to(DAEMON_MAC, GUEST_MAC);
        byte[] plain;
        do {
            plain = readFrame(connection);
        } while (!Arrays.equals(confirmation, plain));
        byte[] record;
        do {
            record = readFrame(connection);
        } while (!ArpFrames.isRequestFor(ByteBuffer.wrap(record), 10, record.length - 10, PEER_IP));
        assertArrayEquals(EMPTY_HEADER, Arrays.copyOf(record, 10), "an ARP request has nothing to offload");

        // A record toward the guest: header + frame, one TAP write; the reply lands in the neighbour table.
        writeFrame(connection, concat(EMPTY_HEADER, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP)));
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

        // The daemon goes away: the new connection starts plain, features off, with a new hello.
        connection.close();
        connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection));
        assertEquals(0, tso());
        connection.close();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("checksum and TSO4 offload on for tap0"), output);
    }

    @Test
    void noAnswer_staysPlain() throws Exception {
        startForwarder();
        SocketChannel connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection));
        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
        byte[] frame;
        do {
            frame = readFrame(connection);
        } while (!ArpFrames.isRequestFor(ByteBuffer.wrap(frame), 0, frame.length, PEER_IP));
        assertArrayEquals(GUEST_MAC, ArpFrames.senderMac(ByteBuffer.wrap(frame), 0), "no header in front");
        writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);
        assertEquals(0, tso());
        connection.close();
    }

    @Test
    void offloadFalse_sendsNoHello_andTheTapHasNoHeader() throws Exception {
        startForwarder("-offload=false");
        SocketChannel connection = accept();
        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
        byte[] first = readFrame(connection);
        ByteBuffer view = ByteBuffer.wrap(first);
        assertFalse(VnetHello.isHello(view, 0, first.length), "no hello");
        byte[] source = Arrays.copyOfRange(first, 6, 12);
        assertArrayEquals(GUEST_MAC, source, "a plain frame from the guest");
        assertEquals(0, tso());
        connection.close();
    }

    private int tso() throws IOException {
        return Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTSO);
    }

    /** The forwarder turns the features on once it has read the answer: poll the kernel's view for a while. */
    private void awaitTso(int expected) throws Exception {
        for (int attempt = 0; attempt < 100 && tso() != expected; attempt++) {
            Thread.sleep(100);
        }
        assertEquals(expected, tso(), "ETHTOOL_GTSO; forwarder log:\n" + Files.readString(log));
    }

    private SocketChannel accept() throws Exception {
        try {
            return waiter.submit(server::accept).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("forwarder did not connect; its log:\n" + Files.readString(log), e);
        }
    }

    private byte[] readFrame(SocketChannel channel) throws Exception {
        return waiter.submit(() -> {
            ByteBuffer prefix = ByteBuffer.allocate(4);
            readFully(channel, prefix);
            int length = prefix.getInt(0);
            assertTrue(length > 0 && length <= 10 + FrameRelay.MAX_FRAME, "length " + length);
            ByteBuffer frame = ByteBuffer.allocate(length);
            readFully(channel, frame);
            return frame.array();
        }).get(WAIT_SECONDS, TimeUnit.SECONDS);
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

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
