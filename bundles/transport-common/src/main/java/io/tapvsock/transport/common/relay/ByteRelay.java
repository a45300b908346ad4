package io.tapvsock.transport.common.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollChannelConfig;
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
 * <p>Works around the Netty epoll bug the stack's HostLink describes: once an epoll peer's input has ended, its
 * interest set can become empty, Netty then deletes its fd from epoll but still believes it added, and the next
 * write that fills the peer's socket buffer fails to ask for EPOLLOUT and shuts the peer's output down: the peer
 * (a client that half-closed, e.g. a unix socket with its small buffer) sees EOF after a prefix. So a flush into
 * such a peer that starts with nothing flushed waiting first registers the peer again (which adds the fd back),
 * and the write spin count is put out of reach so Netty never drops EPOLLOUT with data still queued.
 */
public final class ByteRelay extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ByteRelay.class.getName());

    private final Channel peer;
    /** The bytes this side reads, the peer's direction. */
    private final LongAdder bytes;
    /** Relayed connections that ended with a reset, counted once per side. */
    private final LongAdder resets;
    private boolean reset;
    /** The peer is being registered again (see the class comment): flushes wait for it. */
    private boolean rearming;

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
        if (ctx.channel().config() instanceof EpollChannelConfig) {
            ctx.channel().config().setWriteSpinCount(Integer.MAX_VALUE); // see the class comment
        }
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
        flushPeer();
        ctx.fireChannelReadComplete();
    }

    /** Flushes what was written to the peer, registering the peer again first when it needs it (class comment). */
    private void flushPeer() {
        if (rearming) {
            return; // the registration's listener flushes
        }
        if (peer.config() instanceof EpollChannelConfig && peer instanceof DuplexChannel duplex && duplex.isInputShutdown()
                && peer.isActive()) {
            ChannelOutboundBuffer outbound = peer.unsafe().outboundBuffer();
            if (outbound != null && outbound.isEmpty() && outbound.totalPendingWriteBytes() > 0) {
                rearm();
                return;
            }
        }
        peer.flush();
    }

    private void rearm() {
        rearming = true;
        peer.deregister().addListener(deregistered -> {
            if (!peer.isOpen()) {
                rearming = false;
                return;
            }
            ChannelPromise registered = peer.newPromise();
            registered.addListener(done -> {
                rearming = false;
                if (peer.isActive()) {
                    peer.flush();
                }
            });
            peer.unsafe().register(peer.eventLoop(), registered);
        });
    }

    /** This channel drained: the peer, which writes into it, may read again. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // A peer whose input ended reads nothing more: epoll refuses to watch it again (epoll_ctl ENOENT).
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
