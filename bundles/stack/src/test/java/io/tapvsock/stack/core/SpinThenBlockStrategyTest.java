package io.tapvsock.stack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

class SpinThenBlockStrategyTest {

    private static final long SPIN = 100_000;

    private long now = 1_000_000;
    private int ready;
    private int polls;
    private final SpinThenBlockStrategy strategy = new SpinThenBlockStrategy(SPIN, () -> now);

    private int next(boolean hasTasks) throws Exception {
        return strategy.calculateStrategy(() -> {
            polls++;
            return ready;
        }, hasTasks);
    }

    /** From the idle start: one long wait (the idle start), one short, so the loop spins after I/O again. */
    private void primed() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 1_000_000_000L;
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 10_000;
        next(false);
        assertTrue(strategy.spinsAfterActivity());
        polls = 0;
    }

    /** I/O now, then nothing: the loop spins until the window ends (returning 0) or blocks at once. */
    private int io() throws Exception {
        ready = 1;
        int result = next(false);
        ready = 0;
        return result;
    }

    /**
     * One wait of the given length that the loop spends spinning or blocked, ended by I/O; returns what the loop
     * does right after that I/O (0: spins, SELECT: sleeps).
     */
    private int waitThenIo(long nanos) throws Exception {
        long end = now + nanos;
        while (now < end) {
            if (next(false) == SelectStrategy.SELECT) {
                now = end; // the blocking wait returns with the I/O
                return next(false);
            }
            now = Math.min(end, now + 10_000);
        }
        assertEquals(1, io());
        return next(false);
    }

    @Test
    void idleFromTheStart_blocks() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        assertEquals(0, polls);
    }

    @Test
    void afterIo_pollsWithoutBlockingUntilTheSpinEnds_thenBlocks() throws Exception {
        primed();
        assertEquals(1, io());
        now += 60_000;
        assertEquals(0, next(false));
        now += 30_000; // 90 µs after the I/O: still spinning
        assertEquals(0, next(false));
        now += 20_000; // 110 µs after the I/O, nothing since
        assertEquals(SelectStrategy.SELECT, next(false));
        assertEquals(3, polls);
    }

    @Test
    void readyEventsRestartTheSpin() throws Exception {
        primed();
        io();
        now += 50_000;
        assertEquals(1, io());
        now += 90_000;
        assertEquals(0, next(false)); // 90 µs after the last events: still spinning
        now += 20_000;
        assertEquals(SelectStrategy.SELECT, next(false));
    }

    @Test
    void aLongWait_stopsTheSpin_andAShortOneBringsItBack() throws Exception {
        primed();
        io(); // a short wait: the score is 1
        waitThenIo(500_000); // the answer took longer than the spin: it was wasted
        assertTrue(strategy.spinsAfterActivity());
        assertEquals(SelectStrategy.SELECT, waitThenIo(500_000)); // twice: right after that I/O, no spin
        assertFalse(strategy.spinsAfterActivity());
        int before = polls;
        now += 40_000; // woken 40 µs later: a spin would have caught it
        assertEquals(0, next(false)); // so it spins again
        assertTrue(strategy.spinsAfterActivity());
        assertEquals(before + 1, polls);
    }

    @Test
    void theScoreSaturates_soAHabitChangesAfterALimitedRunOfTheOtherKind() throws Exception {
        primed();
        io();
        for (int i = 0; i < 50; i++) {
            waitThenIo(20_000);
        }
        for (int i = 0; i < SpinThenBlockStrategy.SCORE_LIMIT; i++) {
            waitThenIo(1_000_000);
            assertTrue(strategy.spinsAfterActivity(), "after " + (i + 1) + " long waits");
        }
        waitThenIo(1_000_000);
        assertFalse(strategy.spinsAfterActivity());
    }

    @Test
    void anIdleStartCountsAsALongWait() throws Exception {
        assertEquals(SelectStrategy.SELECT, next(false));
        now += 5_000_000_000L;
        next(false);
        assertFalse(strategy.spinsAfterActivity());
    }

    @Test
    void pendingTasks_neverBlock() throws Exception {
        now += 10_000_000;
        assertEquals(0, next(true));
        assertEquals(1, polls);
    }
}
