package io.tapvsock.transport.common.fd;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.FrameSink;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;

/**
 * Frames toward the guest through a non-blocking file descriptor that takes exactly one frame per write (a TAP, a
 * SOCK_SEQPACKET socket): queued by {@link #send}, written by {@link #flush}, one write(2) per frame, never
 * batched; a frame in several buffers (header plus payload slice) is one writev(2). When the fd's queue is full
 * (EAGAIN) the rest stays queued, {@link #WRITE_WAITS} counts it, and the sink asks its {@link WriteInterest} to
 * wait for EPOLLOUT, after which {@link #writable} goes on. Network loop only.
 *
 * <p>Each queued frame carries a mark that says how to write it: {@link #COMPLETE} for a plain frame; a subclass
 * queues others through {@link #enqueue} and writes them in {@link #writeDirect}. A positive mark is a TCP
 * super-segment's segment size, counted as a super-segment out once written.
 */
public class FdFrameSink implements FrameSink {

    /** Above this many queued bytes the network should hold back ({@link #isWritable()} false). */
    public static final long HIGH_WATER = 1 << 20;
    /** The count of writes that found the fd's queue full (EAGAIN): the rest waited for EPOLLOUT. */
    public static final String WRITE_WAITS = "writeWaits";
    /** The mark of a frame written as it is. */
    protected static final int COMPLETE = 0;
    /** UIO_MAXIOV: a frame in more buffers than this, less one for a header in front, is copied into one first. */
    protected static final int MAX_IOV = 1024;

    /** What the sink asks of its port: start or stop waiting for the fd to take writes again. */
    public interface WriteInterest {
        void waitForWritable(boolean wait);
    }

    private final System.Logger log = System.getLogger(getClass().getName());
    protected final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    protected final LinkCounters counters;
    private final WriteInterest interest;
    private final String description;
    private final int maxFrameSize;
    private final FrameQueue queue = new FrameQueue();
    private long queuedBytes;
    private boolean waiting;
    private boolean open = true;
    private boolean writeErrorLogged;

    /**
     * @param counters     counts frames and drops out, and {@link #WRITE_WAITS}
     * @param description  names the port in the log
     * @param maxFrameSize a longer frame is dropped as "frame-too-long"
     */
    public FdFrameSink(FileDescriptor fd, ByteBufAllocator alloc, LinkCounters counters, WriteInterest interest,
            String description, int maxFrameSize) {
        this.fd = fd;
        this.alloc = alloc;
        this.counters = counters;
        this.interest = interest;
        this.description = description;
        this.maxFrameSize = maxFrameSize;
    }

    /** @param frame transferred: callee releases */
    @Override
    public void send(ByteBuf frame) {
        int length = frame.readableBytes();
        String drop = length == 0 ? "empty-frame"
                : length > maxFrameSize ? "frame-too-long"
                : null;
        enqueue(frame, COMPLETE, drop);
    }

    /** @param frame transferred: queued, or released and counted under {@code drop} (or "link-down") */
    protected final void enqueue(ByteBuf frame, int mark, String drop) {
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

    /** The fd signalled EPOLLOUT: write what waited. */
    public void writable() {
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
                // One frame the fd refused (EMSGSIZE, the link going down) costs that frame only; an fd that is
                // gone for good shows up on the read side, which closes the port.
                written = -1;
                counters.droppedOut("write-error");
                if (!writeErrorLogged) {
                    writeErrorLogged = true;
                    log.log(Level.WARNING, "{0}: write failed, frame dropped (logged once): {1}", description,
                            e.getMessage());
                }
            }
            if (written == 0) {
                counters.increment(WRITE_WAITS);
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
     * Hands {@link #writeDirect} a direct buffer of at most {@code MAX_IOV - 1} parts, copying the frame into one
     * when it is not.
     *
     * @param frame borrowed: not retained after return
     * @return bytes written, 0 when the fd would block
     */
    private long write(ByteBuf frame, int mark) throws IOException {
        int count = frame.nioBufferCount();
        if (!frame.isDirect() || count < 1 || count > MAX_IOV - 1) {
            ByteBuf copy = alloc.directBuffer(frame.readableBytes());
            try {
                copy.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                return writeDirect(copy, mark);
            } finally {
                copy.release();
            }
        }
        return writeDirect(frame, mark);
    }

    /**
     * One write(2) or writev(2) of the frame as it is; a subclass that queues other marks writes those its way.
     *
     * @param frame borrowed: not retained after return; direct, in at most {@code MAX_IOV - 1} parts
     * @return bytes written, 0 when the fd would block
     */
    protected long writeDirect(ByteBuf frame, int mark) throws IOException {
        if (frame.nioBufferCount() == 1) {
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
     * The port is going down: drops and releases what is queued; later frames are dropped as "link-down".
     * Idempotent.
     */
    public final void close() {
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
        closed();
    }

    /** Once, when the sink closes: a subclass releases what it holds for writing. */
    protected void closed() {
    }
}
