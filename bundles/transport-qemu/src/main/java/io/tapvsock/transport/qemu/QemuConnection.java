package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.tap.VirtioNetHeader;
import io.tapvsock.tap.VnetHello;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * The handler at the end of one client's pipeline: attaches a switch port when the connection opens, hands it
 * every decoded frame and the end of each read burst, and detaches it when the connection closes. Counts the
 * reason each connection ended. Network loop only.
 *
 * <p>The vnet-mode extension, for tapvsock's own forwarder (see {@link VnetHello}, which the forwarder and this
 * class implement): when the connection's first frame is a hello request and offload is allowed, it is not
 * handed to the network; the answer goes back as a plain frame, and every later frame toward the guest carries
 * a virtio-net header. Once the guest's confirmation arrives, every later frame from it does too: a header
 * with NEEDS_CSUM, DATA_VALID or a GSO type goes to {@link NetworkPort#receiveOffloaded}, an empty one to
 * {@link NetworkPort#receive}, a bad one is counted and dropped (the connection stays). Any other hello is just
 * a frame. A real QEMU never sends the request, so it never sees a header. Read the virtio spec v1.2, §5.1.6,
 * and Linux include/linux/virtio_net.h ({@code virtio_net_hdr_to_skb}: what a kernel accepts).
 */
final class QemuConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(QemuConnection.class.getName());

    private final VirtualNetwork network;
    private final String description;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private final QemuFrameDecoder decoder;
    /** Whether this connection may enter vnet mode (the listener's {@code offload}). */
    private final boolean offload;
    /** Our MAC in the hello: the answer's source, the confirmation's destination. */
    private final byte[] helloMac;
    private ChannelHandlerContext ctx;
    private NetworkPort port;
    private QemuFrameSink sink;
    private boolean firstFrameSeen;
    /** Frames toward the guest carry the header (the answer went out); from it, once it confirmed. */
    private boolean answered;
    private boolean vnetIn;
    /** The port's id for the shell's listing (NetworkPort itself is loop-only); -1 while detached. */
    private volatile int portId = -1;
    /** Why we are closing, when it was our decision; null means the peer went away. */
    private String closeReason;

    /**
     * @param description the port's description, "qemu " + the listener URL
     * @param decoder     the pipeline's decoder, whose limit grows in vnet mode
     * @param offload     a hello request may switch the connection to vnet mode
     * @param helloMac    the source MAC of our answer, six octets
     */
    QemuConnection(VirtualNetwork network, String description, int maxFrameSize, LinkCounters counters,
            QemuFrameDecoder decoder, boolean offload, byte[] helloMac) {
        this.network = network;
        this.description = description;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
        this.decoder = decoder;
        this.offload = offload;
        this.helloMac = helloMac.clone();
    }

    /** The switch port's id, or -1 before the connection is active and after it closed. Any thread. */
    int portId() {
        return portId;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        try {
            sink = new QemuFrameSink(ctx.channel(), maxFrameSize, counters);
            port = network.attach(sink, description);
            portId = port.id();
            LOG.log(Level.INFO, "{0}: client {1} attached as port {2}", description, peer(ctx.channel()), port.id());
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, description + ": the network refused the client's port, closing it", e);
            closeWith("attach-failed");
        }
        ctx.fireChannelActive();
    }

    /** @param msg transferred: a decoded frame, handed on to the port */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        NetworkPort to = port;
        if (!(msg instanceof ByteBuf frame) || to == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        boolean first = !firstFrameSeen;
        firstFrameSeen = true;
        if (vnetIn) {
            receiveRecord(to, frame);
            return;
        }
        if (first && offload && isHello(frame) && VnetHello.isRequest(bytes(frame), 0, VnetHello.LENGTH)) {
            answer(frame);
            return;
        }
        if (answered && isHello(frame) && VnetHello.isAnswerFor(bytes(frame), 0, VnetHello.LENGTH, helloMac)) {
            frame.release();
            enterVnetModeIn();
            return;
        }
        counters.frameIn(frame.readableBytes());
        deliver(to, frame, false);
    }

    private static boolean isHello(ByteBuf frame) {
        return frame.readableBytes() == VnetHello.LENGTH;
    }

    /** @param frame borrowed: not retained after return */
    private static ByteBuffer bytes(ByteBuf frame) {
        return ByteBuffer.wrap(ByteBufUtil.getBytes(frame));
    }

    /**
     * The guest's forwarder asked for vnet mode: answer as a plain frame, then send with headers.
     *
     * @param request transferred: released here
     */
    private void answer(ByteBuf request) {
        byte[] requester = VnetHello.source(bytes(request), 0);
        request.release();
        byte[] answer = VnetHello.to(requester, helloMac);
        sink.send(ctx.alloc().ioBuffer(answer.length).writeBytes(answer));
        sink.flush();
        sink.enterVnetMode();
        answered = true;
    }

    /** The guest confirmed: its frames carry the header from the next one on. */
    private void enterVnetModeIn() {
        vnetIn = true;
        decoder.setMaxFrameSize(VirtioNetHeader.LENGTH
                + Math.max(maxFrameSize, QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE));
        counters.increment(QemuTransportStatus.VNET_CONNECTIONS);
        LOG.log(Level.INFO, "{0}: port {1} in vnet mode: virtio-net headers both ways, checksum and TSO4 offload",
                description, port.id());
    }

    /**
     * One vnet-mode record: the header, then the frame.
     *
     * @param record transferred: handed on without its header, or released
     */
    private void receiveRecord(NetworkPort to, ByteBuf record) {
        int start = record.readerIndex();
        int frameLength = record.readableBytes() - VirtioNetHeader.LENGTH;
        String problem = frameLength < 1 ? "vnet-header-short"
                : VirtioNetHeader.checkReceived(record, start, frameLength);
        if (problem != null) {
            record.release();
            counters.droppedIn(problem);
            return;
        }
        boolean offloaded = VirtioNetHeader.offloaded(record, start);
        if (offloaded) {
            counters.offloadedIn(VirtioNetHeader.gsoType(record, start) == VirtioNetHeader.GSO_TCPV4);
        }
        record.skipBytes(VirtioNetHeader.LENGTH);
        counters.frameIn(frameLength);
        deliver(to, record, offloaded);
    }

    /** @param frame transferred: the port releases it */
    private void deliver(NetworkPort to, ByteBuf frame, boolean offloaded) {
        try {
            if (offloaded) {
                to.receiveOffloaded(frame);
            } else {
                to.receive(frame);
            }
        } catch (RuntimeException e) {
            // The stack owns the frame now; a throw here is its bug, not the guest's: keep the link up.
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
        if (event instanceof QemuFrameDecoder.TruncatedFrame truncated) {
            LOG.log(Level.WARNING, "{0}: client closed the stream inside a frame ({1} bytes discarded)",
                    description, truncated.bytes());
            closeReason = "truncated";
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof FramingException framing) {
            LOG.log(Level.WARNING, "{0}: closing client {1}: {2}", description, peer(ctx.channel()),
                    framing.getMessage());
            closeWith(framing.reason());
        } else if (cause instanceof IOException) {
            LOG.log(Level.DEBUG, "{0}: client connection failed: {1}", description, cause.toString());
            closeWith("io-error");
        } else {
            LOG.log(Level.ERROR, description + ": unexpected error, closing the client", cause);
            closeWith("error");
        }
    }

    /** Closes the connection on our side, remembering why. Any thread. */
    void closeWith(String reason) {
        if (!ctx.executor().inEventLoop()) {
            ctx.executor().execute(() -> closeWith(reason));
            return;
        }
        if (closeReason == null) {
            closeReason = reason;
        }
        ctx.close();
    }

    /** The client's address; unix clients are unnamed. */
    static String peer(Channel channel) {
        String address = String.valueOf(channel.remoteAddress());
        return address.isBlank() ? "(unix client)" : address;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        counters.count(QemuTransportStatus.CLOSES, closeReason == null ? "peer-closed" : closeReason);
        if (port != null) {
            LOG.log(Level.INFO, "{0}: port {1} detached", description, port.id());
            NetworkPort leaving = port;
            port = null;
            portId = -1;
            leaving.detach();
        }
        ctx.fireChannelInactive();
    }
}
