package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The -url forms, the bytes each endpoint writes before the frames, and the stdio child connection. */
class EndpointTest {

    /** What gvforwarder's Go code writes (net/http Request.Write of a POST without body or Host). */
    private static final String GO_CONNECT_HEAD =
            "POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n";
    /** Safety net only: a broken endpoint fails the test instead of hanging it. */
    private static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    private final ExecutorService waiter = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        waiter.shutdownNow();
    }

    @Test
    void vsock_defaultUrlPostsConnect_withoutPathPostsNothing() throws Exception {
        assertEquals(new VsockEndpoint("vsock://2:1024/connect", 2, 1024, "/connect"),
                Endpoint.parse(ForwarderOptions.parse().url()));
        VsockEndpoint bare = (VsockEndpoint) Endpoint.parse("vsock://3:5000");
        assertNull(bare.postPath());
        assertEquals(Framing.HYPERKIT, bare.framing());
        assertFalse(bare.offersVnet());
        VsockEndpoint max = (VsockEndpoint) Endpoint.parse("vsock://4294967295:4294967295/connect?x=1");
        assertEquals(0xFFFF_FFFFL, max.cid());
        assertEquals(0xFFFF_FFFFL, max.port());
        assertEquals("/connect", max.postPath(), "the query is not part of the path, as in Go");
    }

    @Test
    void stdio_queryParametersBecomeFlags_inTheirOrder() {
        StdioEndpoint endpoint = (StdioEndpoint) Endpoint.parse(
                "stdio:/usr/bin/gvproxy?listen-stdio=accept&debug&mtu=1500");
        assertEquals(List.of("/usr/bin/gvproxy", "-listen-stdio=accept", "-debug=", "-mtu=1500"),
                endpoint.command());
        assertEquals(Framing.HYPERKIT, endpoint.framing());
        assertFalse(endpoint.offersVnet());
        assertEquals(List.of("/opt/my prog+x", "-a=x y&z", "-b c=1"),
                ((StdioEndpoint) Endpoint.parse("stdio:///opt/my%20prog+x?a=x+y%26z&b%20c=1")).command());
        assertEquals(List.of("/usr/bin/x"), ((StdioEndpoint) Endpoint.parse("stdio://ignored/usr/bin/x")).command());
    }

    @Test
    void tcp_isAnApiEndpointLikeUnix() {
        SocketEndpoint tcp = (SocketEndpoint) Endpoint.parse("tcp://127.0.0.1:5000");
        assertFalse(tcp.qemu() || tcp.offersVnet());
        assertEquals(Framing.HYPERKIT, tcp.framing());
        assertEquals(5000, tcp.port());
    }

    @Test
    void connectRequest_isGoBytesForBytes() {
        assertEquals(GO_CONNECT_HEAD, new String(ConnectRequest.bytes("/connect"), StandardCharsets.US_ASCII));
    }

    @Test
    void unixEndpoint_writesTheHeadThenCarriesTheStream() throws Exception {
        Path socket = dir.resolve("api.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket))) {
            exchange(server, Endpoint.parse("unix://" + socket));
        }
    }

    @Test
    void tcpEndpoint_writesTheHeadThenCarriesTheStream() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            exchange(server, Endpoint.parse("tcp://127.0.0.1:" + port));
        }
    }

    @Test
    void qemuUnixEndpoint_writesNoHead() throws Exception {
        Path socket = dir.resolve("qemu.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(socket))) {
            Future<SocketChannel> accepted = waiter.submit(server::accept);
            try (Connection connection = Endpoint.parse("qemu+unix://" + socket).connect();
                 SocketChannel peer = accepted.get(WAIT_SECONDS, TimeUnit.SECONDS)) {
                connection.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 1, 42}));
                assertArrayEquals(new byte[] {0, 0, 0, 1, 42}, readExactly(peer, 5), "the frame comes first");
            }
        }
    }

    /** The head arrives byte for byte, then bytes go both ways untouched; close() ends the peer's stream. */
    private void exchange(ServerSocketChannel server, Endpoint endpoint) throws Exception {
        Future<SocketChannel> accepted = waiter.submit(server::accept);
        Connection connection = endpoint.connect();
        try (SocketChannel peer = accepted.get(WAIT_SECONDS, TimeUnit.SECONDS)) {
            byte[] head = readExactly(peer, GO_CONNECT_HEAD.length());
            assertEquals(GO_CONNECT_HEAD, new String(head, StandardCharsets.US_ASCII));

            connection.write(ByteBuffer.wrap(new byte[] {3, 0, 1, 2, 3}));
            assertArrayEquals(new byte[] {3, 0, 1, 2, 3}, readExactly(peer, 5));
            peer.write(ByteBuffer.wrap(new byte[] {2, 0, 9, 8}));
            assertArrayEquals(new byte[] {2, 0, 9, 8}, readExactly(connection, 4));

            connection.close();
            connection.close(); // idempotent
            assertEquals(-1, peer.read(ByteBuffer.allocate(16)));
            assertThrows(java.nio.channels.ClosedChannelException.class,
                    () -> connection.read(ByteBuffer.allocate(4)));
        } finally {
            connection.close();
        }
    }

    @Test
    void processConnection_framesOverStdinAndStdout_andNamesTheExitStatus() throws Exception {
        try (Connection cat = Endpoint.parse("stdio:/bin/cat").connect()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(6).put(new byte[] {4, 0, 'p', 'i', 'n', 'g'}).flip();
            cat.write(direct);
            assertFalse(direct.hasRemaining());
            assertArrayEquals(new byte[] {4, 0, 'p', 'i', 'n', 'g'}, readExactly(cat, 6), "cat echoes the frame");
        }

        Connection echo = Endpoint.parse("stdio:/bin/echo?x=1&y=a+b").connect();
        try {
            String line = new String(readUntilEnd(echo), StandardCharsets.UTF_8);
            assertEquals("-x=1 -y=a b\n", line, "each query parameter is one -k=v argument");
            assertEquals("the program exited with status 0", echo.endOfStream());
        } finally {
            echo.close();
        }

        Connection failing = new StdioEndpoint("stdio:/bin/sh", List.of("/bin/sh", "-c", "exit 3")).connect();
        try {
            assertEquals(0, readUntilEnd(failing).length);
            assertEquals("the program exited with status 3", failing.endOfStream());
        } finally {
            failing.close();
        }

        assertThrows(IOException.class, () -> Endpoint.parse("stdio:" + dir.resolve("missing")).connect());
    }

    @Test
    void processConnection_closeKillsTheChild_andWakesTheReader() throws Exception {
        ProcessConnection sleeper = ProcessConnection.start(List.of("/bin/sleep", "600"));
        ProcessHandle child = ProcessHandle.of(sleeper.pid()).orElseThrow();
        Future<Integer> read = waiter.submit(() -> sleeper.read(ByteBuffer.allocate(16)));
        sleeper.close();
        child.onExit().get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertFalse(child.isAlive());
        var thrown = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> read.get(WAIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(thrown.getCause() instanceof java.nio.channels.ClosedChannelException, thrown.toString());
    }

    @Test
    void framing_prefixes() {
        ByteBuffer buffer = ByteBuffer.allocate(8);
        Framing.HYPERKIT.writeLength(buffer, 1, 0x1234);
        assertEquals(0x34, buffer.get(1));
        assertEquals(0x12, buffer.get(2));
        assertEquals(0x1234, Framing.HYPERKIT.readLength(buffer, 1));
        Framing.QEMU.writeLength(buffer, 2, 0x0102_0304);
        assertArrayEquals(new byte[] {0, 0x34, 1, 2, 3, 4, 0, 0}, buffer.array());
        assertEquals(0x0102_0304, Framing.QEMU.readLength(buffer, 2));
        assertEquals(0, buffer.position());
        assertEquals(65535, Framing.HYPERKIT.maxLength());
        assertEquals(2, Framing.HYPERKIT.prefixLength());
        assertEquals(4, Framing.QEMU.prefixLength());
    }

    private static byte[] readExactly(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
        return buffer.array();
    }

    private static byte[] readExactly(Connection connection, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(length);
        while (buffer.hasRemaining()) {
            if (connection.read(buffer) < 0) {
                throw new EOFException();
            }
        }
        byte[] bytes = new byte[length];
        buffer.flip().get(bytes);
        return bytes;
    }

    private static byte[] readUntilEnd(Connection connection) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        while (connection.read(buffer) >= 0) {
            // until the child closes its stdout
        }
        byte[] bytes = new byte[buffer.position()];
        buffer.flip().get(bytes);
        return bytes;
    }
}
