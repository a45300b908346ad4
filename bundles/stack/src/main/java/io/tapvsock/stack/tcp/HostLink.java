package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The host socket of one NATed connection: the {@link HostEnd} the connection writes through, and a thin Netty
 * handler that turns the socket's events into calls on {@link TcpNat}. Auto-read is off: the socket is read
 * only while the guest's window has room. Network loop only (the channel is registered on it).
 *
 * <p>After the host's FIN the socket may wait for nothing until a write fills it; the network loop's
 * {@code RearmingEpollIoHandler} keeps such a socket watchable (a Netty 4.2 epoll bug would otherwise shut its
 * output down and the host would see a clean EOF after a prefix).
 */
final class HostLink extends Link {

    /** How long a closed connection's socket may take to hand its queued data and FIN to a slow host reader. */
    private static final long LINGER_SECONDS = 60;

    /** The channel's handler: Netty's events become calls on TcpNat. */
    final ChannelInboundHandlerAdapter handler = new Events();
    Channel channel;
    /** The host connect has not completed yet. */
    boolean connecting;
    /** We closed the channel ourselves; its close events are not news. */
    private boolean closedByUs;
    /**
     * Auto-read is on: Netty reads whenever the socket has data and keeps EPOLLIN in the interest set. Toggled
     * only when the guest's window fills or opens, not per read: a read() per burst costs two epoll_ctl calls.
     */
    private boolean reading;
    private boolean eof;
    private boolean outputShutdown;
    /** Our FIN is queued behind guest data that the host has not taken yet. */
    private boolean finQueued;

    HostLink(TcpNat nat, long addressKey, int portKey) {
        super(nat, addressKey, portKey);
    }

    // ---------------------------------------------------------------- HostEnd

    @Override
    public void write(ByteBuf data) {
        if (channel == null || !channel.isActive() || outputShutdown) {
            data.release();
            failed = true;
            return;
        }
        channel.write(data, channel.voidPromise());
    }

    @Override
    public int bufferedBytes() {
        if (channel == null) {
            return 0;
        }
        ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return outbound == null ? 0 : (int) Math.min(Integer.MAX_VALUE, outbound.totalPendingWriteBytes());
    }

    @Override
    public void shutdownOutput() {
        if (channel == null || !channel.isActive() || outputShutdown) {
            return;
        }
        outputShutdown = true;
        finQueued = true;
        // Netty's shutdownOutput fails writes still queued: let the data go first. When the host has ended its
        // side already, both directions are done and a close sends the same FIN (without the exception Netty
        // builds for every shutdownOutput).
        Channel ch = channel;
        ChannelFuture written = ch.write(Unpooled.EMPTY_BUFFER);
        flush();
        written.addListener(f -> {
            finQueued = false;
            if (!ch.isActive()) {
                return;
            }
            if (eof || closedByUs) {
                closedByUs = true;
                ch.close();
            } else {
                ((DuplexChannel) ch).shutdownOutput();
            }
        });
    }

    @Override
    public void reset() {
        closedByUs = true;
        if (channel != null && channel.isOpen()) {
            if (channel.isActive()) {
                channel.config().setOption(ChannelOption.SO_LINGER, 0); // close sends RST, not FIN
            }
            channel.close();
        }
    }

    @Override
    public void resumeReading() {
        if (!reading && !eof && channel != null && channel.isActive()) {
            reading = true;
            channel.config().setAutoRead(true); // reads at once, and from now on whenever data comes
        }
    }

    @Override
    void pauseReading() {
        if (reading) {
            reading = false;
            channel.config().setAutoRead(false);
        }
    }

    /** Writes queued during the guest's burst go out. */
    @Override
    void flush() {
        if (channel != null && channel.isActive()) {
            channel.flush();
        }
    }

    /**
     * The connection is over: close the socket normally (both directions are finished or abandoned). Like close(2),
     * a normal close lets data already accepted from the guest and our FIN go out first: shutdownOutput's listener
     * closes once they are written, or the linger time closes a socket whose host does not read.
     */
    @Override
    void close() {
        closedByUs = true;
        if (channel == null || !channel.isOpen()) {
            return;
        }
        if (finQueued) {
            Channel ch = channel;
            Future<?> linger = ch.eventLoop().schedule(() -> ch.close(), LINGER_SECONDS, TimeUnit.SECONDS);
            ch.closeFuture().addListener(closed -> linger.cancel(false));
            return;
        }
        channel.close();
    }

    // ---------------------------------------------------------------- Netty events

    /** The host channel's events. */
    private final class Events extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf data) {
                nat.hostRead(HostLink.this, data);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            nat.hostReadComplete(HostLink.this);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !eof) {
                eof = true;
                reading = false;
                nat.hostEof(HostLink.this);
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (!closedByUs && ctx.channel().isWritable()) { // after close() the connection is gone
                nat.hostDrained(HostLink.this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!closedByUs) {
                nat.hostFailed(HostLink.this, cause);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closedByUs && !connecting) {
                nat.hostInactive(HostLink.this, eof);
            }
        }
    }
}
