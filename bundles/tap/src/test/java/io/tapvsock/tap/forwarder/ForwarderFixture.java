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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of the forwarder as a process share: a test namespace for its TAP, the test's server on a unix
 * socket (the daemon's side of the stream, in the test's {@link Framing}), the forwarder started inside the
 * namespace with its output in a log, and the guest-kernel exchanges the tests script over that stream. Every
 * wait goes through {@link #await} with a deadline: a broken forwarder fails the test instead of hanging it.
 */
abstract class ForwarderFixture {

    static final byte[] GUEST_MAC = TapConfig.parseMac("5a:94:ef:e4:0c:ee");
    static final byte[] PEER_MAC = TapConfig.parseMac("02:00:00:00:00:02");
    static final byte[] GUEST_IP = {10, 99, 0, 1};
    static final byte[] PEER_IP = {10, 99, 0, 2};
    /** Safety net only: a broken forwarder fails the test instead of hanging it. */
    static final long WAIT_SECONDS = 60;

    @TempDir
    Path dir;

    TestNamespace namespace;
    ServerSocketChannel server;
    Process forwarder;
    Path log;
    Path socket;
    private final Framing framing;
    private final ExecutorService waiter = Executors.newCachedThreadPool();

    /** @param framing how the stream between the forwarder and the test's server carries frames */
    ForwarderFixture(Framing framing) {
        this.framing = framing;
    }

    /**
     * Skips the test without {@code tools} on the PATH; else a new namespace, and the server listening on
     * {@code socketName} in the test's directory.
     */
    void open(String socketName, String... tools) throws Exception {
        for (String tool : tools) {
            assumeTrue(DhcpClient.onPath(tool), tool + " is needed");
        }
        namespace = TestNamespace.create();
        socket = dir.resolve(socketName);
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
                forwarder.destroy(); // SIGTERM: the forwarder also ends the DHCP client or child it started
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

    /** {@code ip netns exec NS java ... ForwarderMain args}, its output in {@link #log}. */
    void startForwarder(String... args) throws Exception {
        Path classes = Path.of(ForwarderMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace.name(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classes.toString(), ForwarderMain.class.getName()));
        command.addAll(List.of(args));
        forwarder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * SIGTERM: the forwarder exits 0 and its TAP goes with it.
     *
     * @return everything the forwarder logged
     */
    String stopForwarderCleanly() throws Exception {
        forwarder.destroy();
        assertTrue(forwarder.waitFor(WAIT_SECONDS, TimeUnit.SECONDS));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, forwarder.exitValue(), output);
        assertFalse(namespace.ipOutput("link", "show").contains("tap0"), "the TAP goes with the forwarder");
        return output;
    }

    /** {@code -url URL -iface tap0 -mtu 1500 -debug}, then {@code extra}. */
    void startTapForwarder(String url, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-url", url, "-iface", "tap0", "-mtu", "1500", "-debug"));
        args.addAll(List.of(extra));
        startForwarder(args.toArray(String[]::new));
    }

    /** The next connection to the server: the forwarder's (or its child's). */
    SocketChannel accept() throws Exception {
        try {
            return await(server::accept);
        } catch (Exception e) {
            throw new AssertionError("the forwarder did not connect; its log:\n" + Files.readString(log), e);
        }
    }

    /** Runs {@code task} on another thread and waits at most {@link #WAIT_SECONDS} for its result. */
    <T> T await(Callable<T> task) throws Exception {
        return waiter.submit(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads one length prefix and that many bytes into frame[0..length): an Ethernet frame or more. */
    int readFrame(SocketChannel channel, ByteBuffer frame) throws Exception {
        return await(() -> {
            ByteBuffer prefix = ByteBuffer.allocate(framing.prefixLength());
            readFully(channel, prefix);
            long length = framing.readLength(prefix, 0);
            assertTrue(length >= 14 && length <= frame.capacity(), "length " + length);
            frame.clear().limit((int) length);
            readFully(channel, frame);
            return (int) length;
        });
    }

    /** One frame (or vnet-mode record: a 10-byte header and a frame) as a fresh array. */
    byte[] readFrame(SocketChannel channel) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(10 + FrameRelay.MAX_FRAME);
        return Arrays.copyOf(frame.array(), readFrame(channel, frame));
    }

    void writeFrame(SocketChannel channel, byte[] frame) throws IOException {
        ByteBuffer framed = ByteBuffer.allocate(framing.prefixLength() + frame.length);
        framing.writeLength(framed, 0, frame.length);
        writeFully(channel, framed.put(framing.prefixLength(), frame));
    }

    /** {@code length} bytes as they come, no framing. */
    byte[] readExactly(SocketChannel channel, int length) throws Exception {
        return await(() -> {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            readFully(channel, buffer);
            return buffer.array();
        });
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
    }

    /** Drains whatever frames were in flight until the other side's close shows as end of stream. */
    void assertEndOfStream(SocketChannel channel) throws Exception {
        ByteBuffer sink = ByteBuffer.allocate(65536);
        await(() -> {
            while (channel.read(sink.clear()) >= 0) {
                // frames sent before the other side hung up
            }
            return null;
        });
    }

    /** Gives the TAP 10.99.0.1/24 and pings 10.99.0.2 from the namespace: the guest kernel starts talking. */
    void pingPeer() throws Exception {
        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
    }

    /**
     * The guest kernel's ARP request for the peer arrives as a plain frame, and our reply goes the other way and
     * lands in its neighbour table.
     */
    void answerArpRequest(SocketChannel connection) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = readFrame(connection, frame);
        } while (!ArpFrames.isRequestFor(frame, 0, length, PEER_IP));
        assertArrayEquals(GUEST_MAC, ArpFrames.senderMac(frame, 0), "a plain frame: no header in front");
        writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
        awaitPeerInNeighbourTable();
    }

    /** Polls the namespace's neighbour table until the peer's MAC shows (the reply reached the kernel). */
    void awaitPeerInNeighbourTable() throws Exception {
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);
    }

    /** Any frame the guest kernel sends (the pings go on) proves the new connection relays. */
    void awaitFrameFromGuest(SocketChannel connection) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        readFrame(connection, frame);
        byte[] source = new byte[6];
        frame.get(6, source);
        assertArrayEquals(GUEST_MAC, source);
    }
}
