package io.tapvsock.tap;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The native address of a direct ByteBuffer's index 0, kept for the buffer last asked about: a relay reads (or
 * writes) through the same buffer frame after frame and looks the address up once. One cache per direction of a
 * device or socket. The buffer and its address are replaced together (an immutable entry), so a thread racing
 * another sees a matching pair.
 */
public final class BufferAddressCache {

    private record Entry(ByteBuffer buffer, long address) {
    }

    private Entry last;

    /**
     * The native address of buffer's index 0 (add the position for the next byte).
     *
     * @throws IllegalArgumentException buffer is not direct
     */
    public long baseAddress(ByteBuffer buffer) {
        Entry entry = last;
        if (entry == null || entry.buffer != buffer) {
            if (!buffer.isDirect()) {
                throw new IllegalArgumentException("a direct ByteBuffer is required");
            }
            entry = new Entry(buffer, MemorySegment.ofBuffer(buffer).address() - buffer.position());
            last = entry;
        }
        return entry.address;
    }
}
