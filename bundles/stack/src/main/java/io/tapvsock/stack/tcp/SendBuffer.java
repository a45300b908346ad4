package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import java.util.ArrayDeque;

/**
 * Bytes read from the host socket that the guest has not acknowledged yet, in the buffers the host read
 * produced (no copies). Offset 0 is the sender's first unacknowledged data byte. Network loop only.
 */
final class SendBuffer {

    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private int bytes;

    /** @param data transferred: callee releases */
    void append(ByteBuf data) {
        if (!data.isReadable()) {
            data.release();
            return;
        }
        chunks.addLast(data);
        bytes += data.readableBytes();
    }

    int bytes() {
        return bytes;
    }

    /**
     * The bytes {@code [offset, offset + length)}: one slice when they lie in one chunk, else a composite.
     *
     * @return a retained slice: caller releases
     */
    ByteBuf retainedSlice(int offset, int length) {
        int skip = offset;
        CompositeByteBuf composite = null;
        int remaining = length;
        for (ByteBuf chunk : chunks) {
            int readable = chunk.readableBytes();
            if (skip >= readable) {
                skip -= readable;
                continue;
            }
            int take = Math.min(readable - skip, remaining);
            ByteBuf slice = chunk.retainedSlice(chunk.readerIndex() + skip, take);
            skip = 0;
            remaining -= take;
            if (remaining == 0 && composite == null) {
                return slice;
            }
            if (composite == null) {
                composite = chunk.alloc().compositeBuffer(16);
            }
            composite.addComponent(true, slice);
            if (remaining == 0) {
                return composite;
            }
        }
        throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " beyond " + bytes);
    }

    /** Drops the first {@code n} bytes: the guest acknowledged them. */
    void discard(int n) {
        int remaining = Math.min(n, bytes);
        bytes -= remaining;
        while (remaining > 0) {
            ByteBuf head = chunks.peekFirst();
            int readable = head.readableBytes();
            if (readable <= remaining) {
                chunks.removeFirst().release();
                remaining -= readable;
            } else {
                head.skipBytes(remaining);
                remaining = 0;
            }
        }
    }

    /** Releases everything. */
    void clear() {
        ByteBuf chunk;
        while ((chunk = chunks.pollFirst()) != null) {
            chunk.release();
        }
        bytes = 0;
    }
}
