package io.tapvsock.transport.common.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.LongAdder;

/**
 * Read first: RFC 9293 §3.6 (closing a connection: each direction ends on its own) and §3.10.7 (RST).
 *
 * <p>One direction of a relayed connection (a port forward, a tunnel): what this channel reads goes to its peer.
 * Both channels of a pair (host socket and guest connection) live on the network loop, so the relay needs no
 * locks. Put one on each channel, each naming the other as its peer.
 * <ul>
 * <li>Backpressure: this channel stops reading (auto-read off) while the peer is not writable, and the peer's
 * handler turns it back on when the peer drains.</li>
 * <li>Half-close: this side's FIN becomes the peer's shutdownOutput, after everything read before it was written;
 * a channel closes once both of its directions are shut down.</li>
 * <li>Reset: an error on this side (a read that saw RST, a guest's reset) closes it, and the peer is closed with
 * SO_LINGER 0, so the other end sees a reset too rather than a clean end.</li>
 * </ul>
 *
 * <p>A peer whose input ended may wait for nothing until a write fills it: the network loop's epoll handler keeps
 * it watchable (see the stack's RearmingEpollIoHandler), so the relay writes to it like any other.
 */
public final class ByteRelay extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ByteRelay.class.getName());

    private final Channel peer;
    /** The bytes this side reads, the peer's direction. */
    private final LongAdder bytes;
    /** Relayed connections that ended with a reset, counted once per side. */
    private final LongAdder resets;
    private boolean reset;

    /**
     * @param peer   where this channel's input goes
     * @param bytes  counts what this channel reads
     * @param resets counts this side ending with an error or reset
     */
    public ByteRelay(Channel peer, LongAdder bytes, LongAdder resets) {
        this.peer = peer;
        this.bytes = bytes;
        this.resets = resets;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    }

    /** @param msg transferred to the peer's outbound buffer */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf data) || !peer.isActive()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        bytes.add(data.readableBytes());
        peer.write(data);
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        peer.flush();
        ctx.fireChannelReadComplete();
    }

    /** This channel drained: the peer, which writes into it, may read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A peer whose input ended has nothing more to read.
        if (ctx.channel().isWritable() && peer.isActive()
                && !(peer instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        // The empty write completes after everything queued before it: only then may the FIN follow.
        if (peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
                if (peer.isActive() && peer instanceof DuplexChannel duplex && !duplex.isOutputShutdown()) {
                    duplex.shutdownOutput().addListener(shut -> closeIfDone(peer));
                }
            });
        }
        closeIfDone(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, () -> ctx.channel() + ": " + cause);
        if (!reset) {
            reset = true;
            resets.increment();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer.isOpen()) {
            if (reset) {
                closeWithReset(peer);
            } else {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }
        ctx.fireChannelInactive();
    }

    /** Closes with RST where the channel is TCP (a unix socket has no reset: it just closes). */
    public static void closeWithReset(Channel channel) {
        if (!(channel instanceof DomainSocketChannel)) {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        channel.close();
    }

    private static void closeIfDone(Channel channel) {
        if (channel instanceof DuplexChannel duplex && duplex.isInputShutdown() && duplex.isOutputShutdown()) {
            channel.close();
        }
    }
}
