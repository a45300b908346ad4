package io.tapvsock.stack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapvsock.api.NetworkSettings;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The flow table on a manual clock. The sweep is scheduled on an embedded event loop whose frozen time moves only
 * with the clock, so a scheduled sweep runs exactly when the clock reaches its deadline.
 */
class IdleFlowTableTest {

    private static final long IDLE_SECONDS = 60;

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private long clock = 1_000_000_000L;
    /** Names of the flows the table closed, in order. */
    private final List<String> closed = new ArrayList<>();
    private IdleFlowTable<String, TestFlow> table;

    private static final class TestFlow extends IdleFlowTable.Flow {
        final String name;

        TestFlow(String name) {
            this.name = name;
        }
    }

    IdleFlowTableTest() {
        channel.freezeTime();
    }

    @AfterEach
    void tearDown() {
        channel.finishAndReleaseAll();
    }

    private IdleFlowTable<String, TestFlow> table(long idleSeconds, int maxFlows) {
        table = new IdleFlowTable<>(new ClockContext(), "test", flow -> closed.add(flow.name), idleSeconds,
                maxFlows);
        return table;
    }

    private TestFlow open(String name) {
        TestFlow flow = new TestFlow(name);
        table.makeRoom();
        table.add(name, flow);
        return flow;
    }

    /** Moves the clock and the loop's time together, and runs the sweeps that are due. */
    private void advanceSeconds(long seconds) {
        long nanos = TimeUnit.SECONDS.toNanos(seconds);
        clock += nanos;
        channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    private List<String> names() {
        return table.flows().stream().map(flow -> flow.name).toList();
    }

    @Test
    void idleFlowsExpireOldestFirstAndStopAtTheFirstLiveOne() {
        table(IDLE_SECONDS, 10);
        open("a");
        advanceSeconds(10);
        open("b");
        advanceSeconds(10);
        open("c");
        clock += TimeUnit.SECONDS.toNanos(40); // the clock alone: no sweep runs
        table.expireIdle();
        assertEquals(List.of("a"), closed, "a is 60 s idle, b only 50 s");
        clock += TimeUnit.SECONDS.toNanos(10);
        table.expireIdle();
        assertEquals(List.of("a", "b"), closed);
        assertEquals(List.of("c"), names());
        assertEquals(2, table.expired());
        assertEquals(3, table.opened());
        assertEquals(0, table.evicted());
    }

    @Test
    void useMovesAFlowToTheYoungEndAndKeepsItAlive() {
        table(IDLE_SECONDS, 10);
        TestFlow a = open("a");
        open("b");
        advanceSeconds(50);
        assertSame(a, table.use("a"));
        assertEquals(List.of("b", "a"), names());
        assertEquals(clock, a.lastUsed());
        advanceSeconds(10);
        assertEquals(List.of("b"), closed);
        assertEquals(List.of("a"), names());
        assertNull(table.use("b"), "an expired flow is gone");
    }

    @Test
    void aFullTableEvictsTheLeastRecentlyUsed() {
        table(IDLE_SECONDS, 2);
        assertFalse(table.makeRoom());
        open("a");
        open("b");
        table.use("a");
        assertTrue(table.makeRoom());
        assertEquals(List.of("b"), closed);
        table.add("c", new TestFlow("c"));
        assertEquals(List.of("a", "c"), names());
        assertEquals(1, table.evicted());
        assertEquals(2, table.size());
    }

    @Test
    void loweringTheCapEvictsTheLeastRecentlyUsedNow() {
        table(IDLE_SECONDS, 4);
        open("a");
        open("b");
        open("c");
        open("d");
        table.use("a");
        table.configure(IDLE_SECONDS, 2);
        assertEquals(List.of("b", "c"), closed);
        assertEquals(List.of("d", "a"), names());
        assertEquals(2, table.evicted());
        assertEquals(2, table.maxFlows());
    }

    @Test
    void theSweepRunsAtTheEldestDeadlineAndIsRescheduled() {
        table(IDLE_SECONDS, 10);
        open("a");
        advanceSeconds(30);
        open("b");
        advanceSeconds(29);
        assertEquals(List.of(), closed);
        advanceSeconds(1);
        assertEquals(List.of("a"), closed, "the sweep at a's deadline");
        advanceSeconds(29);
        assertEquals(List.of("a"), closed);
        table.use("b"); // b's deadline moves on: the sweep due now finds nothing and is scheduled again
        advanceSeconds(1);
        assertEquals(List.of("a"), closed);
        advanceSeconds(59);
        assertEquals(List.of("a", "b"), closed);
        assertEquals(0, table.size());
    }

    @Test
    void aShorterTimeoutReschedulesTheSweep() {
        table(IDLE_SECONDS, 10);
        open("a");
        table.configure(10, 10);
        advanceSeconds(10);
        assertEquals(List.of("a"), closed);
    }

    @Test
    void removeAndCloseCloseTheirFlows() {
        table(IDLE_SECONDS, 10);
        TestFlow a = open("a");
        open("b");
        table.remove("a", a);
        assertEquals(List.of("a"), closed);
        assertNull(table.use("a"));
        table.close();
        assertEquals(List.of("a", "b"), closed);
        assertEquals(0, table.size());
        advanceSeconds(IDLE_SECONDS * 2);
        assertEquals(List.of("a", "b"), closed, "no sweep after close");
        assertEquals(0, table.expired());
    }

    @Test
    void limitsMustBePositive() {
        table(IDLE_SECONDS, 10);
        assertThrows(IllegalArgumentException.class, () -> table.configure(0, 10));
        assertThrows(IllegalArgumentException.class, () -> table.configure(IDLE_SECONDS, 0));
    }

    /** The table needs only the clock and the loop. */
    private final class ClockContext implements StackContext {

        @Override
        public EventLoop loop() {
            return channel.eventLoop();
        }

        @Override
        public long nanoTime() {
            return clock;
        }

        @Override
        public ByteBufAllocator alloc() {
            throw new UnsupportedOperationException();
        }

        @Override
        public NetworkSettings settings() {
            throw new UnsupportedOperationException();
        }

        @Override
        public HostChannels hostChannels() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendIpv4(int source, int destination, int protocol, ByteBuf l4) {
            l4.release();
            throw new UnsupportedOperationException();
        }

        @Override
        public void flush() {
            throw new UnsupportedOperationException();
        }

        @Override
        public InetAddress hostAddressFor(int destination) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void drop(String reason) {
            throw new UnsupportedOperationException();
        }
    }
}
