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
 */
final class SpinThenBlockStrategy implements SelectStrategy {

    private final long spinNanos;
    private final LongSupplier clock;
    /** When the loop last had I/O (or woke from a blocking wait). */
    private long lastActive = Long.MIN_VALUE / 2;
    private boolean blocked;

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
            lastActive = now;
        }
        if (hasTasks || now - lastActive < spinNanos) {
            int ready = selectNow.get();
            if (ready > 0) {
                lastActive = now;
            }
            return ready; // 0: the loop turns again without sleeping
        }
        blocked = true;
        return SelectStrategy.SELECT;
    }
}
