package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class BufferAddressCacheTest {

    private final BufferAddressCache cache = new BufferAddressCache();

    @Test
    void baseAddress_isIndexZeroWhateverThePosition() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64);
        long start = MemorySegment.ofBuffer(buffer).address();
        buffer.position(10);
        assertEquals(start, cache.baseAddress(buffer));
        buffer.position(30);
        assertEquals(start, cache.baseAddress(buffer), "the same buffer at another position");
    }

    @Test
    void baseAddress_followsAnotherBuffer() {
        ByteBuffer first = ByteBuffer.allocateDirect(64);
        ByteBuffer second = ByteBuffer.allocateDirect(64).position(5);
        cache.baseAddress(first);
        assertEquals(MemorySegment.ofBuffer(second).address() - 5, cache.baseAddress(second));
        assertEquals(MemorySegment.ofBuffer(first).address(), cache.baseAddress(first));
    }

    @Test
    void baseAddress_refusesAHeapBuffer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cache.baseAddress(ByteBuffer.allocate(64)));
        assertEquals("a direct ByteBuffer is required", e.getMessage());
    }
}
