package io.tapvsock.transport.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.tapvsock.tap.VirtioNetHeader;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import java.io.IOException;

/**
 * Frames toward the guest through the TAP, one frame per write (see {@link FdFrameSink}, which queues and writes
 * them and waits for EPOLLOUT when the TAP's queue is full).
 *
 * <p>With offload (a TAP opened with a virtio-net header) every frame is written behind a
 * {@link VirtioNetHeader}: an empty one for {@link #send} frames (complete checksums), NEEDS_CSUM and, for a
 * payload longer than the segment size, gso_type TCPV4 for {@link #sendSegmented} frames. Header and frame go out
 * in one writev(2). The header stays flags 0 for complete frames rather than DATA_VALID: the switch also forwards
 * other guests' frames here, whose checksums nobody verified.
 */
final class TapFrameSink extends FdFrameSink {

    /** MTU 65535 plus an Ethernet header with a VLAN tag: the most one write can carry. */
    static final int MAX_FRAME = 65535 + 18;
    /** The mark of a frame whose TCP checksum the guest's kernel completes; a positive mark is a gso_size. */
    private static final int PARTIAL_CHECKSUM = -1;

    private final boolean offload;
    /** With offload: the header of the frame being written, and the iovec array for header + frame parts. */
    private final ByteBuf header;
    private final IovArray iov;

    /**
     * @param offload the TAP was opened with a virtio-net header (and TSO4): every frame is written behind one,
     *                and the stack may hand over TCP super-segments
     */
    TapFrameSink(FileDescriptor fd, ByteBufAllocator alloc, LinkCounters counters, WriteInterest interest,
            String description, boolean offload) {
        super(fd, alloc, counters, interest, description, MAX_FRAME);
        this.offload = offload;
        this.header = offload ? alloc.directBuffer(VirtioNetHeader.LENGTH, VirtioNetHeader.LENGTH) : null;
        this.iov = offload ? new IovArray() : null;
    }

    @Override
    public boolean segmentsTcp() {
        return offload;
    }

    /**
     * @param frame transferred: callee releases. Untagged Ethernet + IPv4 + TCP, the checksum field holding the
     *              pseudo-header sum.
     */
    @Override
    public void sendSegmented(ByteBuf frame, int segmentSize) {
        String drop = offload ? VirtioNetHeader.checkTcpFrame(frame, segmentSize) : "segmented-without-offload";
        int mark = drop == null && VirtioNetHeader.tcpPayloadLength(frame) > segmentSize
                ? segmentSize : PARTIAL_CHECKSUM;
        enqueue(frame, mark, drop);
    }

    /** @param frame borrowed: not retained after return */
    @Override
    protected long writeDirect(ByteBuf frame, int mark) throws IOException {
        return offload ? writeWithHeader(frame, mark) : super.writeDirect(frame, mark);
    }

    /**
     * One writev(2): the virtio-net header, then the frame's parts (a direct buffer of at most MAX_IOV - 1).
     *
     * @param frame borrowed: not retained after return
     */
    private long writeWithHeader(ByteBuf frame, int mark) throws IOException {
        if (mark == COMPLETE) {
            VirtioNetHeader.setComplete(header, 0);
        } else {
            VirtioNetHeader.setTcpOffload(header, 0, frame, mark > 0 ? mark : 0);
        }
        iov.clear();
        if (!iov.add(header, 0, VirtioNetHeader.LENGTH)
                || !iov.add(frame, frame.readerIndex(), frame.readableBytes())) {
            throw new IOException("a frame of " + frame.nioBufferCount() + " buffers does not fit one writev");
        }
        return fd.writevAddresses(iov.memoryAddress(0), iov.count());
    }

    @Override
    protected void closed() {
        if (offload) {
            header.release();
            iov.release();
        }
    }
}
