package io.tapvsock.stack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On the network loop's own I/O handler: a connection whose client shut down its writing half waits for nothing;
 * when the answer then fills its socket it must wait for writability, which Netty's own epoll IoHandler (4.2.18)
 * fails with ENOENT (with it, this test got 1.3 of the 4 MiB).
 */
class RearmingEpollIoHandlerTest {

    private static final int ANSWER_BYTES = 4 << 20;

    private final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            HostChannels.detect().ioHandlerFactory());

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A moment after the client's EOF (nothing left to wait for), answers with more than a socket holds. */
    private static final class AnswerAfterEof extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!((DuplexChannel) ctx.channel()).isInputShutdown()) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // Later, once the channel waits for nothing (EPOLLIN and EPOLLRDHUP cleared).
                ctx.executor().schedule(() -> ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[ANSWER_BYTES]))
                        .addListener(ChannelFutureListener.CLOSE), 200, TimeUnit.MILLISECONDS);
            }
        }
    }

    @Test
    void a_half_closed_connection_still_gets_an_answer_larger_than_its_socket_buffer() throws Exception {
        assertTrue(HostChannels.detect().nativeEpoll(), "the network loop runs on epoll here");
        Channel server = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.SO_SNDBUF, 16384) // the answer must wait for room
                .childHandler(new AnswerAfterEof())
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try (SocketChannel client = SocketChannel.open(server.localAddress())) {
            client.write(ByteBuffer.wrap("question".getBytes()));
            client.shutdownOutput();
            long received = 0;
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            int n;
            while ((n = client.read(buffer)) >= 0) {
                received += n;
                buffer.clear();
            }
            assertEquals(ANSWER_BYTES, received);
        } finally {
            server.close().sync();
        }
    }
}
