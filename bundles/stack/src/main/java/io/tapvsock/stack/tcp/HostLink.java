package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The host socket of one NATed connection: a thin Netty handler that turns channel events into calls on
 * {@link TcpNat}, and the {@link HostEnd} the connection writes through. Auto-read is off: the socket is read
 * only while the guest's window has room. Network loop only (the channel is registered on it).
 */
final class HostLink extends ChannelInboundHandlerAdapter implements HostEnd {

    private final TcpNat nat;
    final long addressKey;
    final int portKey;
    TcpConnection connection;
    Channel channel;
    /** This connection's place in TcpNat's deadline queue. */
    final DeadlineQueue.Entry<HostLink> timer = new DeadlineQueue.Entry<>(this);
    /** The host connect has not completed yet. */
    boolean connecting;
    /** In TcpNat's list of connections touched during the guest's burst. */
    boolean touched;
    /** Guest data could not be written (the host socket is gone): the connection must be reset. */
    boolean failed;
    /** We closed the channel ourselves; its close events are not news. */
    private boolean closedByUs;
    private boolean reading;
    private boolean eof;
    private boolean outputShutdown;

    HostLink(TcpNat nat, long addressKey, int portKey) {
        this.nat = nat;
        this.addressKey = addressKey;
        this.portKey = portKey;
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
        // Netty's shutdownOutput fails writes still queued: let the data go first. When the host has ended its
        // side already, both directions are done and a close sends the same FIN (without the exception Netty
        // builds for every shutdownOutput).
        Channel ch = channel;
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!ch.isActive()) {
                return;
            }
            if (eof) {
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
            channel.read();
        }
    }

    /** Writes queued during the guest's burst go out. */
    void flush() {
        if (channel != null && channel.isActive()) {
            channel.flush();
        }
    }

    /** The connection is over: close the socket normally (both directions are finished or abandoned). */
    void close() {
        closedByUs = true;
        if (channel != null && channel.isOpen()) {
            channel.close();
        }
    }

    // ---------------------------------------------------------------- Netty events

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data) {
            nat.hostRead(this, data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        nat.hostReadComplete(this);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && !eof) {
            eof = true;
            reading = false;
            nat.hostEof(this);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            nat.hostDrained(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!closedByUs) {
            nat.hostFailed(this, cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!closedByUs && !connecting) {
            nat.hostInactive(this, eof);
        }
    }
}
