package io.tapvsock.service.sshforward.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forward's host socket: mode 0600 from the start, stale sockets replaced, other files kept. */
class UnixSocketListenerTest {

    @TempDir
    Path dir;

    private MultiThreadIoEventLoopGroup group;
    private EventLoop loop;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        loop = group.next();
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully().syncUninterruptibly();
    }

    /** Greets each client with "hi" and closes. */
    private static final class Greeter extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII)).addListener(f -> ctx.close());
        }
    }

    private static String greeting(Path socket) throws IOException {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer buffer = ByteBuffer.allocate(16);
            while (client.read(buffer) >= 0) {
                // until the server closes
            }
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void the_socket_is_0600_serves_and_is_removed_on_close() throws Exception {
        Path socket = dir.resolve("f.sock");
        try (UnixSocketListener listener = UnixSocketListener.open(loop, socket, new Greeter())) {
            assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(socket));
            assertEquals("hi", greeting(socket));
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "no private directory is left behind");
            }
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void a_stale_socket_is_replaced() throws Exception {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket), "closing a JDK unix server leaves its file: a stale socket");
        try (UnixSocketListener listener = UnixSocketListener.open(loop, socket, new Greeter())) {
            assertEquals("hi", greeting(socket));
        }
    }

    @Test
    void another_kind_of_file_is_refused_and_kept() throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "mine");
        assertThrows(FileAlreadyExistsException.class, () -> UnixSocketListener.open(loop, file, new Greeter()));
        assertEquals("mine", Files.readString(file));
    }

    @Test
    void a_socket_that_replaced_ours_is_not_removed() throws Exception {
        Path socket = dir.resolve("f.sock");
        UnixSocketListener listener = UnixSocketListener.open(loop, socket, new Greeter());
        Files.delete(socket);
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(socket));
            listener.close();
            assertTrue(Files.exists(socket), "another process's socket stays");
        }
    }
}
