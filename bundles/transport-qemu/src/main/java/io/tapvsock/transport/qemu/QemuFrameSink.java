package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.api.FrameSink;
import io.tapvsock.tap.VirtioNetHeader;

/**
 * Frames toward one guest: a 4-byte big-endian length, then the frame itself, written as two buffers so the
 * flush is one gathering write and the frame is never copied. Network loop only.
 *
 * <p>In vnet mode (after the connection's hello, see {@link QemuConnection}) a {@link VirtioNetHeader} goes
 * between the length and the frame, the length counting both: an empty one for {@link #send} frames (complete
 * checksums), NEEDS_CSUM and, for a payload longer than the segment size, gso_type TCPV4 for
 * {@link #sendSegmented} frames, as a TAP opened with offload takes them. Read the virtio spec v1.2, §5.1.6.
 */
final class QemuFrameSink implements FrameSink {

    private static final int PREFIX_AND_HEADER = QemuFrameDecoder.PREFIX_LENGTH + VirtioNetHeader.LENGTH;

    private final Channel channel;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private boolean vnet;

    QemuFrameSink(Channel channel, int maxFrameSize, LinkCounters counters) {
        this.channel = channel;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
    }

    /** From now on every frame goes behind a virtio-net header, and TCP super-segments are welcome. */
    void enterVnetMode() {
        vnet = true;
    }

    /** @param frame transferred: callee releases */
    @Override
    public void send(ByteBuf frame) {
        int length = frame.readableBytes();
        String drop = length == 0 ? "empty-frame"
                : length > maxFrameSize ? "frame-too-long"
                : null;
        if (!write(frame, drop, 0)) {
            return;
        }
        counters.frameOut(length);
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
        int length = frame.readableBytes();
        if (!write(frame, drop, gsoSize == 0 ? -1 : gsoSize)) {
            return;
        }
        counters.frameOut(length);
        if (gsoSize > 0) {
            counters.superSegmentOut();
        }
    }

    /**
     * Writes the prefix (and in vnet mode the header) and the frame, or drops the frame and counts why.
     *
     * @param frame   transferred: written, or released
     * @param drop    a drop reason decided by the caller, or null
     * @param offload 0 for a complete frame, -1 for a partial checksum only, else the gso_size
     * @return true when written
     */
    private boolean write(ByteBuf frame, String drop, int offload) {
        if (drop == null && !channel.isActive()) {
            drop = "link-down";
        }
        if (drop != null) {
            frame.release();
            counters.droppedOut(drop);
            return false;
        }
        int length = frame.readableBytes();
        ByteBuf prefix;
        if (vnet) {
            prefix = channel.alloc().ioBuffer(PREFIX_AND_HEADER).writeInt(VirtioNetHeader.LENGTH + length);
            if (offload == 0) {
                VirtioNetHeader.setComplete(prefix, QemuFrameDecoder.PREFIX_LENGTH);
            } else {
                VirtioNetHeader.setTcpOffload(prefix, QemuFrameDecoder.PREFIX_LENGTH, frame, Math.max(offload, 0));
            }
            prefix.writerIndex(PREFIX_AND_HEADER);
        } else {
            prefix = channel.alloc().ioBuffer(QemuFrameDecoder.PREFIX_LENGTH).writeInt(length);
        }
        channel.write(prefix, channel.voidPromise());
        channel.write(frame, channel.voidPromise());
        return true;
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }
}
