package io.tapvsock.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeadlineQueueTest {

    @Test
    void pollDue_givesOnlyWhatIsDue_earliestFirst() {
        DeadlineQueue<String> queue = new DeadlineQueue<>();
        DeadlineQueue.Entry<String> a = new DeadlineQueue.Entry<>("a");
        DeadlineQueue.Entry<String> b = new DeadlineQueue.Entry<>("b");
        DeadlineQueue.Entry<String> c = new DeadlineQueue.Entry<>("c");
        queue.schedule(a, 30);
        queue.schedule(b, 10);
        queue.schedule(c, 20);
        assertEquals(10, queue.earliest(-1));
        assertNull(queue.pollDue(9));
        assertEquals("b", queue.pollDue(25));
        assertEquals("c", queue.pollDue(25));
        assertNull(queue.pollDue(25));
        assertFalse(b.queued());
        assertTrue(a.queued());
    }

    @Test
    void schedule_movesAQueuedEntryEitherWay_andRemoveForgetsIt() {
        DeadlineQueue<String> queue = new DeadlineQueue<>();
        DeadlineQueue.Entry<String> a = new DeadlineQueue.Entry<>("a");
        DeadlineQueue.Entry<String> b = new DeadlineQueue.Entry<>("b");
        queue.schedule(a, 10);
        queue.schedule(b, 20);
        queue.schedule(a, 30); // later: b comes first now
        assertEquals(2, queue.size());
        assertEquals(20, queue.earliest(-1));
        queue.schedule(a, 5); // earlier again
        assertEquals(5, queue.earliest(-1));
        queue.remove(a);
        queue.remove(a); // not queued: nothing
        assertEquals(1, queue.size());
        assertEquals("b", queue.pollDue(100));
        assertEquals(-1, queue.earliest(-1));
    }

    /** Random schedules, moves and removals against a map of deadlines: every poll gives a true minimum. */
    @Test
    void randomOperations_matchAReference() {
        Random random = new Random(42);
        DeadlineQueue<Integer> queue = new DeadlineQueue<>();
        List<DeadlineQueue.Entry<Integer>> entries = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            entries.add(new DeadlineQueue.Entry<>(i));
        }
        Map<Integer, Long> reference = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            DeadlineQueue.Entry<Integer> entry = entries.get(random.nextInt(entries.size()));
            int op = random.nextInt(10);
            if (op < 6) {
                long deadline = now + random.nextInt(1000);
                queue.schedule(entry, deadline);
                reference.put(entry.owner, deadline);
            } else if (op < 7) {
                queue.remove(entry);
                reference.remove(entry.owner);
            } else {
                now += random.nextInt(50);
                for (Integer owner = queue.pollDue(now); owner != null; owner = queue.pollDue(now)) {
                    long deadline = reference.remove(owner);
                    assertTrue(deadline <= now, "polled before its deadline");
                    assertFalse(entries.get(owner).queued());
                }
                for (long deadline : reference.values()) {
                    assertTrue(deadline > now, "a due entry was left in the queue");
                }
            }
            assertEquals(reference.size(), queue.size());
            long min = reference.values().stream().mapToLong(Long::longValue).min().orElse(-1);
            assertEquals(min, queue.earliest(-1));
        }
        assertSame(null, queue.pollDue(Long.MIN_VALUE));
    }
}
