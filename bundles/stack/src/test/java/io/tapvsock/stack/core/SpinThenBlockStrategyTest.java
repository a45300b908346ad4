package io.tapvsock.stack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

class SpinThenBlockStrategyTest {

    private long now = 1_000_000;
    private int ready;
    private int polls;
    private final SpinThenBlockStrategy strategy = new SpinThenBlockStrategy(100_000, () -> now);

    private int next(boolean hasTasks) throws Exception {
        return strategy.calculateStrategy(() -> {
            polls++;
            return ready;
        }, hasTasks);
    }

    @Test
    void idleFromTheStart_blocks() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        assertEquals(0, polls);
    }

    @Test
    void afterAWakeup_pollsWithoutBlockingUntilTheSpinEnds_thenBlocks() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 5_000_000; // the blocking wait returned: activity
        assertEquals(0, next(false));
        now += 60_000;
        assertEquals(0, next(false));
        now += 50_000; // 110 µs after the wakeup, nothing since
        assertEquals(SelectStrategy.SELECT, next(false));
        assertEquals(2, polls);
    }

    @Test
    void readyEventsRestartTheSpin() throws Exception {
        next(false);
        now += 1_000;
        ready = 3;
        assertEquals(3, next(false));
        ready = 0;
        now += 90_000;
        assertEquals(0, next(false)); // 90 µs after the last events: still spinning
        now += 20_000;
        assertEquals(SelectStrategy.SELECT, next(false));
    }

    @Test
    void pendingTasks_neverBlock() throws Exception {
        now += 10_000_000;
        assertEquals(0, next(true));
        assertEquals(1, polls);
    }
}
