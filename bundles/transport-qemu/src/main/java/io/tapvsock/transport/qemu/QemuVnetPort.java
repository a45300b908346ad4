package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.tap.VirtioNetHeader;
import io.tapvsock.tap.VnetHello;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.LengthPrefix;
import io.tapvsock.transport.common.stream.StreamFrameDecoder;
import io.tapvsock.transport.common.stream.StreamFrameSink;
import io.tapvsock.transport.common.stream.StreamPort;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * A qemu client's switch port on a listener that allows offload: a {@link StreamPort} plus the vnet-mode
 * extension for tapvsock's own forwarder (see {@link VnetHello}, which the forwarder and this class implement).
 * When the connection's first frame is a hello request, it is not handed to the network; the answer goes back
 * as a plain frame, and every later frame toward the guest carries a virtio-net header ({@link QemuVnetSink}).
 * Once the guest's confirmation arrives, every later frame from it does too: a header with NEEDS_CSUM,
 * DATA_VALID or a GSO type goes to {@link NetworkPort#receiveOffloaded}, an empty one to
 * {@link NetworkPort#receive}, a bad one is counted and dropped (the connection stays). Any other hello is just
 * a frame. A real QEMU never sends the request, so it never sees a header. Read the virtio spec v1.2, §5.1.6,
 * and Linux include/linux/virtio_net.h ({@code virtio_net_hdr_to_skb}: what a kernel accepts). Network loop only.
 */
final class QemuVnetPort extends StreamPort {

    private static final System.Logger LOG = System.getLogger(QemuVnetPort.class.getName());

    private final StreamFrameDecoder decoder;
    private final int maxFrameSize;
    private final LinkCounters counters;
    /** Our MAC in the hello: the answer's source, the confirmation's destination. */
    private final byte[] helloMac;
    private QemuVnetSink sink;
    private boolean firstFrameSeen;
    /** Frames toward the guest carry the header (the answer went out); from it, once it confirmed. */
    private boolean answered;
    private boolean vnetIn;

    /**
     * @param description the port's description, "qemu " + the listener URL
     * @param decoder     the pipeline's decoder, whose limit grows in vnet mode
     * @param helloMac    the source MAC of our answer, six octets
     */
    QemuVnetPort(VirtualNetwork network, String description, StreamFrameDecoder decoder, int maxFrameSize,
            LinkCounters counters, byte[] helloMac) {
        super(network, description, LengthPrefix.QEMU, maxFrameSize, counters);
        this.decoder = decoder;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
        this.helloMac = helloMac.clone();
    }

    @Override
    protected StreamFrameSink newSink(Channel channel) {
        sink = new QemuVnetSink(channel, maxFrameSize, counters);
        return sink;
    }

    /** @param frame transferred: delivered, or released when it is a hello of the agreement */
    @Override
    protected void frameRead(ChannelHandlerContext ctx, ByteBuf frame) {
        boolean first = !firstFrameSeen;
        firstFrameSeen = true;
        if (vnetIn) {
            receiveRecord(frame);
            return;
        }
        if (first && isHello(frame) && VnetHello.isRequest(bytes(frame), 0, VnetHello.LENGTH)) {
            answer(ctx, frame);
            return;
        }
        if (answered && isHello(frame) && VnetHello.isAnswerFor(bytes(frame), 0, VnetHello.LENGTH, helloMac)) {
            frame.release();
            enterVnetModeIn();
            return;
        }
        deliver(frame, false);
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
    private void answer(ChannelHandlerContext ctx, ByteBuf request) {
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
                description(), portId());
    }

    /**
     * One vnet-mode record: the header, then the frame.
     *
     * @param record transferred: handed on without its header, or released
     */
    private void receiveRecord(ByteBuf record) {
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
        deliver(record, offloaded);
    }
}
