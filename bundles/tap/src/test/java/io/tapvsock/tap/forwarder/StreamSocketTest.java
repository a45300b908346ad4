package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tapvsock.tap.ErrnoException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unix and TCP sockets against JDK listeners on a temporary path and on loopback; the AF_VSOCK path up to socket
 * creation and bind only: testing.md forbids connecting to a real context ID.
 */
class StreamSocketTest {

    @Test
    void sockaddrVm_layout() {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = StreamSocket.sockaddrVm(arena, 2, 1024).toArray(ValueLayout.JAVA_BYTE);
            ByteBuffer expected = ByteBuffer.allocate(StreamSocket.SOCKADDR_VM_SIZE).order(ByteOrder.nativeOrder())
                    .putShort((short) 40).putShort((short) 0).putInt(1024).putInt(2);
            assertArrayEquals(expected.array(), bytes, "family, reserved, port, cid, flags 0, zero padding");
        }
    }

    @Test
    void createBindAndClose() throws IOException {
        StreamSocket socket = openOrSkip();
        try {
            socket.bindVsock(StreamSocket.VMADDR_CID_ANY, StreamSocket.VMADDR_PORT_ANY);
            assertNotEquals(StreamSocket.VMADDR_PORT_ANY, socket.localVsockPort(), "the kernel picked a port");
        } finally {
            socket.close();
        }
        socket.close(); // idempotent
        assertThrows(ClosedChannelException.class, () -> socket.read(ByteBuffer.allocateDirect(8)));
        assertThrows(ClosedChannelException.class, () -> socket.write(ByteBuffer.allocate(8)));
    }

    @Test
    void unix_readNowAndWriteNow_neverWait_blockingCallsDo_andTheEndIsMinusOne(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            StreamSocket socket = StreamSocket.connectUnix(path);
            try (SocketChannel peer = server.accept()) {
                assertTrue(socket.pollFd() >= 0);
                assertTrue(socket.toString().startsWith("unix://" + path), socket.toString());
                ByteBuffer in = ByteBuffer.allocateDirect(64);
                assertEquals(0, socket.readNow(in), "nothing there: 0, at once");

                peer.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
                assertEquals(4, readSome(socket, in));
                assertEquals("ping", text(in));

                // A peer that reads nothing: writeNow fills the buffers, then takes nothing, and never blocks.
                ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                long written = 0;
                int taken;
                while ((taken = socket.writeNow(chunk.clear())) > 0) {
                    written += taken;
                }
                assertEquals(0, taken);
                assertTrue(written > 0);
                long drained = 0;
                ByteBuffer sink = ByteBuffer.allocate(256 * 1024);
                while (drained < written) {
                    drained += peer.read(sink.clear());
                }
                assertEquals(written, drained, "every byte writeNow said it took arrived");

                socket.write(ByteBuffer.wrap("heap".getBytes(StandardCharsets.US_ASCII))); // the copying path
                ByteBuffer heapIn = ByteBuffer.allocate(4);
                while (heapIn.hasRemaining()) {
                    peer.read(heapIn);
                }
                assertEquals("heap", new String(heapIn.array(), StandardCharsets.US_ASCII));

                peer.shutdownOutput();
                assertEquals(-1, socket.read(in.clear()), "the end of the stream");
                assertEquals(-1, socket.readNow(in.clear()));
            } finally {
                socket.close();
            }
            assertThrows(ClosedChannelException.class, () -> socket.readNow(ByteBuffer.allocateDirect(8)));
        }
        ErrnoException missing = assertThrows(ErrnoException.class,
                () -> StreamSocket.connectUnix(dir.resolve("missing.sock")));
        assertTrue(missing.getMessage().startsWith("connect unix://" + dir.resolve("missing.sock")),
                missing.getMessage());
    }

    @Test
    void tcp_connectsOverIpv4AndIpv6Loopback() throws Exception {
        for (InetAddress loopback : List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("::1"))) {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(loopback, 0));
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                StreamSocket socket = StreamSocket.connectTcp(new InetSocketAddress(loopback, port));
                try (SocketChannel peer = server.accept()) {
                    assertEquals(socket.toString(), "tcp://" + (loopback.getAddress().length == 4 ? "127.0.0.1"
                            : "[0:0:0:0:0:0:0:1]") + ":" + port + " fd " + socket.pollFd());
                    socket.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                    ByteBuffer got = ByteBuffer.allocate(3);
                    while (got.hasRemaining()) {
                        peer.read(got);
                    }
                    assertArrayEquals(new byte[] {1, 2, 3}, got.array());
                } finally {
                    socket.close();
                }
            }
        }
    }

    @Test
    void pair_carriesBothWays_andCloseWakesABlockedRead() throws Exception {
        StreamSocket[] pair = StreamSocket.pair("test pair");
        try {
            pair[0].write(ByteBuffer.wrap(new byte[] {42}));
            ByteBuffer in = ByteBuffer.allocateDirect(8);
            assertEquals(1, pair[1].read(in));
            assertEquals(42, in.get(0));

            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    pair[1].read(ByteBuffer.allocateDirect(8));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread.sleep(100);
            pair[1].close();
            reader.join(10_000);
            assertInstanceOf(ClosedChannelException.class, failure.get());
        } finally {
            pair[0].close();
            pair[1].close();
        }
    }

    private static int readSome(StreamSocket socket, ByteBuffer in) throws Exception {
        int read;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while ((read = socket.readNow(in)) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return read;
    }

    private static String text(ByteBuffer direct) {
        byte[] bytes = new byte[direct.position()];
        direct.flip().get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static StreamSocket openOrSkip() {
        try {
            return StreamSocket.open(StreamSocket.AF_VSOCK);
        } catch (IOException e) {
            assumeTrue(false, "no AF_VSOCK here: " + e.getMessage());
            throw new AssertionError(e);
        }
    }
}
