package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * The handler at the end of one stream connection's pipeline, after a {@link StreamFrameDecoder}: attaches a
 * switch port once the connection is active (at once when it is added to a connection that already is), hands
 * it every decoded frame and the end of each read burst, and detaches it when the connection closes. Counts
 * the reason each connection ended in the group {@value #CLOSES}: "peer-closed", "truncated", a
 * {@link FramingException#reason()}, "io-error", or what {@link #closeWith} was told. Network loop only.
 *
 * <p>A transport with an extra of its own (qemu's vnet mode) extends this class: {@link #newSink} builds the
 * port's sink, and {@link #frameRead} sees every decoded frame first and hands the network's ones to
 * {@link #deliver}.
 */
public class StreamPort extends ChannelInboundHandlerAdapter {

    /** The counter group of close reasons. */
    public static final String CLOSES = "closes";

    private static final System.Logger LOG = System.getLogger(StreamPort.class.getName());

    private final VirtualNetwork network;
    private final String description;
    private final LengthPrefix prefix;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private ChannelHandlerContext ctx;
    private NetworkPort port;
    private boolean attachTried;
    /** The port's id for the shell's listing (NetworkPort itself is loop-only); -1 while detached. */
    private volatile int portId = -1;
    /** Why we are closing, when it was our decision; null means the peer went away. */
    private String closeReason;
    /** Why the link failed (the switch tells port listeners: gvproxy's hypervisor_error); null for a clean close. */
    private String failure;

    /**
     * @param description the port's description in logs, /cam and the shell, e.g. "vpnkit unix:///tmp/v.sock"
     * @param maxFrameSize the largest frame sent toward the peer
     */
    public StreamPort(VirtualNetwork network, String description, LengthPrefix prefix, int maxFrameSize,
            LinkCounters counters) {
        this.network = network;
        this.description = description;
        this.prefix = prefix;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
    }

    /** The switch port's id, or -1 before the connection is active and after it closed. Any thread. */
    public int portId() {
        return portId;
    }

    public String description() {
        return description;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            attach(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        attach(ctx);
        ctx.fireChannelActive();
    }

    private void attach(ChannelHandlerContext ctx) {
        if (attachTried) {
            return;
        }
        attachTried = true;
        try {
            port = network.attach(newSink(ctx.channel()), description);
            portId = port.id();
            LOG.log(Level.INFO, "{0}: client {1} attached as port {2}", description, peer(ctx.channel()), port.id());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, description + ": the network refused the client's port, closing it", e);
            closeWith("attach-failed");
        }
    }

    /**
     * The sink of the port that attaches: frames toward the peer with this connection's prefix and limit. Called
     * once, on the network loop, when the connection becomes active.
     */
    protected StreamFrameSink newSink(Channel channel) {
        return new StreamFrameSink(channel, prefix, maxFrameSize, counters);
    }

    /** @param msg transferred: a decoded frame, handed to {@link #frameRead} while attached, else released */
    @Override
    public final void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf frame) || port == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        frameRead(ctx, frame);
    }

    /**
     * One decoded frame while the port is attached: here, straight to the network.
     *
     * @param frame transferred: delivered, or released by the subclass that keeps it from the network
     */
    protected void frameRead(ChannelHandlerContext ctx, ByteBuf frame) {
        deliver(frame, false);
    }

    /**
     * Hands a frame to the switch port and counts it in.
     *
     * @param frame     transferred: the port releases it (or this method, once the port is gone)
     * @param offloaded its checksum or segmentation is left to us ({@link NetworkPort#receiveOffloaded})
     */
    protected final void deliver(ByteBuf frame, boolean offloaded) {
        NetworkPort to = port;
        if (to == null) { // detached meanwhile: nobody to take it
            frame.release();
            return;
        }
        counters.frameIn(frame.readableBytes());
        try {
            if (offloaded) {
                to.receiveOffloaded(frame);
            } else {
                to.receive(frame);
            }
        } catch (RuntimeException e) {
            // The stack owns the frame now; a throw here is its bug, not the peer's: keep the link up.
            counters.stackError();
            LOG.log(Level.ERROR, description + ": the network failed on a frame", e);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (port != null) {
            port.endOfBurst();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof StreamFrameDecoder.TruncatedFrame truncated) {
            LOG.log(Level.WARNING, "{0}: client closed the stream inside a frame ({1} bytes discarded)",
                    description, truncated.bytes());
            closeReason = "truncated";
            failure = closeReason;
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FramingException framing) {
            LOG.log(Level.WARNING, "{0}: closing client {1}: {2}", description, peer(ctx.channel()),
                    framing.getMessage());
            failure = framing.reason();
        } else if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "{0}: client connection failed: {1}", description, cause.toString());
            failure = "io-error";
        } else {
            LOG.log(Level.ERROR, description + ": unexpected error, closing the client", cause);
            failure = "error";
        }
        closeWith(failure);
    }

    /** Closes the connection on our side, remembering why. Any thread, once the handler is in a pipeline. */
    public void closeWith(String reason) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> closeWith(reason));
            return;
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        counters.count(CLOSES, closeReason == null ? "peer-closed" : closeReason);
        if (port != null) {
            LOG.log(Level.INFO, "{0}: port {1} detached", description, port.id());
            NetworkPort leaving = port;
            port = null;
            portId = -1;
            leaving.detach(failure);
        }
        ctx.fireChannelInactive();
    }

    /** The client's address for logs; unix clients are unnamed. */
    public static String peer(Channel channel) {
        String address = String.valueOf(channel.remoteAddress());
        return address.isBlank() || address.equals("null") ? "(unix client)" : address;
    }
}
