package io.tapvsock.stack.core;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The network loop's select strategy: right after it handled I/O, the loop polls epoll without blocking for a
 * short while before it lets itself sleep. A request/response exchange then finds the loop awake when the answer
 * comes, instead of paying for a sleeping thread's wakeup (on a virtual machine an inter-processor interrupt and a
 * vCPU leaving its halt: tens of microseconds per hop). An idle network costs nothing: the spin only follows
 * activity, and it is bounded. Network loop only.
 *
 * <p>The spin is adaptive. Every wait (from the loop's last I/O to its next) is either short, shorter than the
 * spin, so spinning pays, or long, so a spin would burn its whole length and still end in a sleep. A saturating
 * score counts short waits up and long waits down, and the loop spins only while short waits dominate. Waits are
 * measured whether the loop spun or slept, so it notices when spinning would pay again without trying. This
 * matters where answers come back slowly, e.g. through the guest forwarder's extra hop: there a fixed spin took
 * the CPU the guest, the forwarder and the host needed (connection rate down by a third on two cores).
 */
final class SpinThenBlockStrategy implements SelectStrategy {

    /** How far the score may go either way: this many waits of the other kind turn the decision around. */
    static final int SCORE_LIMIT = 8;

    private final long spinNanos;
    private final LongSupplier clock;
    /** When the loop last had I/O (or woke from a blocking wait). */
    private long lastActive = Long.MIN_VALUE / 2;
    private boolean blocked;
    /** The loop found nothing since lastActive: the next I/O ends a wait. */
    private boolean waiting;
    /** Short waits minus long ones, within ±{@link #SCORE_LIMIT}; the loop spins while it is not negative. */
    private int score;

    SpinThenBlockStrategy(long spinNanos) {
        this(spinNanos, System::nanoTime);
    }

    SpinThenBlockStrategy(long spinNanos, LongSupplier clock) {
        this.spinNanos = spinNanos;
        this.clock = clock;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        long now = clock.getAsLong();
        if (blocked) {
            blocked = false; // the blocking wait ended: something happened
            endWait(now);
        }
        boolean spin = spinNanos > 0 && score >= 0 && now - lastActive < spinNanos;
        if (hasTasks || spin) {
            int ready = selectNow.get();
            if (ready > 0) {
                endWait(now);
            } else if (!hasTasks) {
                waiting = true;
            }
            return ready; // 0: the loop turns again without sleeping
        }
        waiting = true;
        blocked = true;
        return SelectStrategy.SELECT;
    }

    private void endWait(long now) {
        if (waiting) {
            waiting = false;
            boolean shortWait = now - lastActive < spinNanos;
            score = shortWait ? Math.min(score + 1, SCORE_LIMIT) : Math.max(score - 1, -SCORE_LIMIT);
        }
        lastActive = now;
    }

    /** True while the loop spins after activity (for tests). */
    boolean spinsAfterActivity() {
        return score >= 0;
    }
}
