package io.tapvsock.transport.common.fd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameQueueTest {

    @Test
    void framesComeOutInOrder_withTheirMarks_acrossGrowthAndWrapAround() {
        FrameQueue queue = new FrameQueue();
        List<ByteBuf> frames = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            frames.add(Unpooled.buffer(1).writeByte(i));
        }
        int next = 0;
        // Take a few out between adds, so the ring's head moves before it grows.
        for (int i = 0; i < frames.size(); i++) {
            queue.add(frames.get(i), i - 1);
            if (i % 3 == 2) {
                assertEquals(next - 1, queue.peekMark());
                assertSame(frames.get(next), queue.peek());
                queue.poll().release();
                next++;
            }
        }
        while (!queue.isEmpty()) {
            assertEquals(next - 1, queue.peekMark());
            ByteBuf frame = queue.poll();
            assertSame(frames.get(next), frame);
            frame.release();
            next++;
        }
        assertEquals(100, next);
        assertNull(queue.peek());
        assertNull(queue.poll());
        assertTrue(frames.stream().allMatch(frame -> frame.refCnt() == 0));
    }
}
