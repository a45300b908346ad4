package io.tapvsock.transport.tap;

import io.tapvsock.transport.common.LinkCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.tapvsock.api.FrameSink;
import io.tapvsock.tap.VirtioNetHeader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * Frames toward the guest through the TAP: queued by {@link #send}, written by {@link #flush}, one write(2) per
 * frame (a TAP takes exactly one frame per write, so frames are never batched into one writev; a frame in
 * several buffers, header plus payload slice, is one writev). When the TAP's queue is full (EAGAIN) the rest
 * stays queued and the link waits for EPOLLOUT. Network loop only.
 *
 * <p>With offload (a TAP opened with a virtio-net header) every frame is written behind a
 * {@link VirtioNetHeader}: an empty one for {@link #send} frames (complete checksums), NEEDS_CSUM and, for a
 * payload longer than the segment size, gso_type TCPV4 for {@link #sendSegmented} frames. Header and frame go out
 * in one writev(2). The header stays flags 0 for complete frames rather than DATA_VALID: the switch also forwards
 * other guests' frames here, whose checksums nobody verified.
 */
final class TapFrameSink implements FrameSink {

    /** MTU 65535 plus an Ethernet header with a VLAN tag: the most one write can carry. */
    static final int MAX_FRAME = 65535 + 18;
    /** Above this many queued bytes the network should hold back ({@link #isWritable()} false). */
    static final long HIGH_WATER = 1 << 20;
    /** UIO_MAXIOV: more buffers than this in one frame (plus its header) are copied into one first. */
    private static final int MAX_IOV = 1024;
    /** Queue marks: how a frame is written. A positive mark is a super-segment's segment size (gso_size). */
    private static final int COMPLETE = 0;
    private static final int PARTIAL_CHECKSUM = -1;

    private static final System.Logger LOG = System.getLogger(TapFrameSink.class.getName());

    /** What the sink asks of its link: start or stop waiting for the TAP to take writes again. */
    interface WriteInterest {
        void waitForWritable(boolean wait);
    }

    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final LinkCounters counters;
    private final WriteInterest interest;
    private final String description;
    private final boolean offload;
    private final FrameQueue queue = new FrameQueue();
    /** With offload: the header of the frame being written, and the iovec array for header + frame parts. */
    private final ByteBuf header;
    private final IovArray iov;
    private long queuedBytes;
    private boolean waiting;
    private boolean open = true;
    private boolean writeErrorLogged;

    /**
     * @param offload the TAP was opened with a virtio-net header (and TSO4): every frame is written behind one,
     *                and the stack may hand over TCP super-segments
     */
    TapFrameSink(FileDescriptor fd, ByteBufAllocator alloc, LinkCounters counters, WriteInterest interest,
            String description, boolean offload) {
        this.fd = fd;
        this.alloc = alloc;
        this.counters = counters;
        this.interest = interest;
        this.description = description;
        this.offload = offload;
        this.header = offload ? alloc.directBuffer(VirtioNetHeader.LENGTH, VirtioNetHeader.LENGTH) : null;
        this.iov = offload ? new IovArray() : null;
    }

    /** @param frame transferred: callee releases */
    @Override
    public void send(ByteBuf frame) {
        int length = frame.readableBytes();
        String drop = length == 0 ? "empty-frame"
                : length > MAX_FRAME ? "frame-too-long"
                : null;
        enqueue(frame, COMPLETE, drop);
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

    /** @param frame transferred: queued, or released and counted under {@code drop} (or "link-down") */
    private void enqueue(ByteBuf frame, int mark, String drop) {
        if (drop == null && !open) {
            drop = "link-down";
        }
        if (drop != null) {
            frame.release();
            counters.droppedOut(drop);
            return;
        }
        queuedBytes += frame.readableBytes();
        queue.add(frame, mark);
    }

    @Override
    public void flush() {
        if (!waiting) {
            writeQueued();
        }
    }

    @Override
    public boolean isWritable() {
        return open && queuedBytes < HIGH_WATER;
    }

    /** The TAP signalled EPOLLOUT: write what waited. */
    void writable() {
        if (waiting) {
            waiting = false;
            interest.waitForWritable(false);
        }
        writeQueued();
    }

    private void writeQueued() {
        while (open && !queue.isEmpty()) {
            ByteBuf frame = queue.peek();
            int mark = queue.peekMark();
            int length = frame.readableBytes();
            long written;
            try {
                written = write(frame, mark);
            } catch (IOException e) {
                // One bad frame (or the link going down) costs that frame only; a TAP that is gone for good
                // shows up on the read side, which fails the link.
                written = -1;
                counters.droppedOut("write-error");
                if (!writeErrorLogged) {
                    writeErrorLogged = true;
                    LOG.log(Level.WARNING, "{0}: write failed, frame dropped (logged once): {1}", description,
                            e.getMessage());
                }
            }
            if (written == 0) {
                counters.increment(TapTransportStatus.WRITE_WAITS);
                waiting = true;
                interest.waitForWritable(true);
                return;
            }
            queue.poll();
            queuedBytes -= length;
            frame.release();
            if (written > 0) {
                counters.frameOut(length);
                if (mark > 0) {
                    counters.superSegmentOut();
                }
            }
        }
    }

    /**
     * @param frame borrowed: not retained after return
     * @param mark  how to write it: {@link #COMPLETE}, {@link #PARTIAL_CHECKSUM} or a segment size
     * @return bytes written, 0 when the TAP would block
     */
    private long write(ByteBuf frame, int mark) throws IOException {
        int count = frame.nioBufferCount();
        if (!frame.isDirect() || count < 1 || count > MAX_IOV - 1) {
            ByteBuf copy = alloc.directBuffer(frame.readableBytes());
            try {
                copy.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                return write(copy, mark);
            } finally {
                copy.release();
            }
        }
        if (offload) {
            return writeWithHeader(frame, mark);
        }
        if (count == 1) {
            if (frame.hasMemoryAddress()) {
                return fd.writeAddress(frame.memoryAddress(), frame.readerIndex(), frame.writerIndex());
            }
            ByteBuffer nio = frame.internalNioBuffer(frame.readerIndex(), frame.readableBytes());
            return fd.write(nio, nio.position(), nio.limit());
        }
        ByteBuffer[] parts = frame.nioBuffers();
        return fd.writev(parts, 0, parts.length, Long.MAX_VALUE);
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

    /** The link is going down: drops and releases what is queued; later frames are dropped as "link-down". */
    void close() {
        if (!open) {
            return;
        }
        open = false;
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            frame.release();
            counters.droppedOut("link-down");
        }
        queuedBytes = 0;
        if (offload) {
            header.release();
            iov.release();
        }
    }
}
