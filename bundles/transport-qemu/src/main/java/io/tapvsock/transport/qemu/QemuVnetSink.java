package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.tap.VirtioNetHeader;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.LengthPrefix;
import io.tapvsock.transport.common.stream.StreamFrameSink;

/**
 * Frames toward one qemu client that may enter vnet mode: plain QEMU framing until then. In vnet mode (after
 * the connection's hello, see {@link QemuVnetPort}) a {@link VirtioNetHeader} goes between the length and the
 * frame, the length counting both: an empty one for {@link #send} frames (complete checksums), NEEDS_CSUM and,
 * for a payload longer than the segment size, gso_type TCPV4 for {@link #sendSegmented} frames, as a TAP opened
 * with offload takes them. Read the virtio spec v1.2, §5.1.6. Network loop only.
 */
final class QemuVnetSink extends StreamFrameSink {

    /** What {@link #sendSegmented} tells the header when it only needs a checksum; a positive value is a gso_size. */
    private static final int PARTIAL_CHECKSUM = -1;

    private final LinkCounters counters;
    private boolean vnet;

    QemuVnetSink(Channel channel, int maxFrameSize, LinkCounters counters) {
        super(channel, LengthPrefix.QEMU, maxFrameSize, counters);
        this.counters = counters;
    }

    /** From now on every frame goes behind a virtio-net header, and TCP super-segments are welcome. */
    void enterVnetMode() {
        vnet = true;
    }

    @Override
    public boolean segmentsTcp() {
        return vnet;
    }

    /**
     * A super-segment may exceed the listener's frame limit (whose default only covers MTU 65535 anyway): the
     * guest's kernel cuts it, and {@link VirtioNetHeader#checkTcpFrame} bounds it by the IPv4 total length.
     *
     * @param frame transferred: callee releases. Untagged Ethernet + IPv4 + TCP, the checksum field holding the
     *              pseudo-header sum.
     */
    @Override
    public void sendSegmented(ByteBuf frame, int segmentSize) {
        String drop = vnet ? VirtioNetHeader.checkTcpFrame(frame, segmentSize) : "segmented-without-offload";
        int gsoSize = drop == null && VirtioNetHeader.tcpPayloadLength(frame) > segmentSize ? segmentSize : 0;
        if (write(frame, drop, gsoSize == 0 ? PARTIAL_CHECKSUM : gsoSize) && gsoSize > 0) {
            counters.superSegmentOut();
        }
    }

    @Override
    protected int headerLength() {
        return vnet ? VirtioNetHeader.LENGTH : 0;
    }

    /** @param kind {@link #COMPLETE}, {@link #PARTIAL_CHECKSUM}, or the gso_size of a super-segment */
    @Override
    protected void writeHeader(ByteBuf head, int index, ByteBuf frame, int kind) {
        if (kind == COMPLETE) {
            VirtioNetHeader.setComplete(head, index);
        } else {
            VirtioNetHeader.setTcpOffload(head, index, frame, Math.max(kind, 0));
        }
    }
}
