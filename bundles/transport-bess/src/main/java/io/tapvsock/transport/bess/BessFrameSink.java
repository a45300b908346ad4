package io.tapvsock.transport.bess;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.FrameSink;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Frames toward the guest over the SOCK_SEQPACKET connection: queued by {@link #send}, written by {@link #flush},
 * one write(2) per frame, since each write is one message and each message one frame (a frame in several
 * buffers, header plus payload slice, is one writev). When the socket's send buffer is full (EAGAIN) the rest
 * stays queued and the connection waits for EPOLLOUT. Network loop only.
 */
final class BessFrameSink implements FrameSink {

    /** Above this many queued bytes the network should hold back ({@link #isWritable()} false). */
    static final long HIGH_WATER = 1 << 20;
    /** UIO_MAXIOV: a frame in more buffers than this is copied into one first. */
    private static final int MAX_IOV = 1024;

    private static final System.Logger LOG = System.getLogger(BessFrameSink.class.getName());

    /** What the sink asks of its connection: start or stop waiting for the socket to take writes again. */
    interface WriteInterest {
        void waitForWritable(boolean wait);
    }

    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final LinkCounters counters;
    private final WriteInterest interest;
    private final String description;
    private final int maxFrameSize;
    /** Array-backed: no object per queued frame. */
    private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean waiting;
    private boolean open = true;
    private boolean writeErrorLogged;

    BessFrameSink(FileDescriptor fd, ByteBufAllocator alloc, LinkCounters counters, WriteInterest interest,
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
                : !open ? "link-down"
                : null;
        if (drop != null) {
            frame.release();
            counters.droppedOut(drop);
            return;
        }
        queuedBytes += length;
        queue.add(frame);
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

    /** The socket signalled EPOLLOUT: write what waited. */
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
            int length = frame.readableBytes();
            long written;
            try {
                written = write(frame);
            } catch (IOException e) {
                // One frame the socket refused (EMSGSIZE) costs that frame only; a peer that is gone shows up
                // on the read side, which closes the connection.
                written = -1;
                counters.droppedOut("write-error");
                if (!writeErrorLogged) {
                    writeErrorLogged = true;
                    LOG.log(Level.WARNING, "{0}: write failed, frame dropped (logged once): {1}", description,
                            e.getMessage());
                }
            }
            if (written == 0) {
                counters.increment(BessTransportStatus.WRITE_WAITS);
                waiting = true;
                interest.waitForWritable(true);
                return;
            }
            queue.poll();
            queuedBytes -= length;
            frame.release();
            if (written > 0) {
                counters.frameOut(length);
            }
        }
    }

    /**
     * @param frame borrowed: not retained after return
     * @return bytes written, 0 when the socket would block
     */
    private long write(ByteBuf frame) throws IOException {
        int count = frame.nioBufferCount();
        if (!frame.isDirect() || count < 1 || count > MAX_IOV) {
            ByteBuf copy = alloc.directBuffer(frame.readableBytes());
            try {
                copy.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                return write(copy);
            } finally {
                copy.release();
            }
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

    /** The connection is going down: drops and releases what is queued; later frames are dropped as "link-down". */
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
    }
}
