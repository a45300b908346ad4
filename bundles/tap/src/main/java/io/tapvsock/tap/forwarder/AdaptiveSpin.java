package io.tapvsock.tap.forwarder;

/**
 * Whether the relay keeps polling without sleeping once it has nothing to do. A request/response exchange
 * through the forwarder then finds it awake when the answer comes, instead of paying for a sleeping thread's
 * wakeup (on a virtual machine an inter-processor interrupt and a vCPU leaving its halt: tens of microseconds,
 * on each of the forwarder's two hops). An idle link costs nothing: the spin only follows activity, and is
 * bounded.
 *
 * <p>The spin is adaptive, as the daemon's network loop does it. Every wait (from the last activity to the next)
 * is short, shorter than the spin, so spinning pays, or long, so a spin would burn its whole length and still end
 * in a sleep. A saturating score counts short waits up and long ones down, and the relay spins only while short
 * waits dominate. Waits are measured whether it spun or slept, so it notices when spinning would pay again
 * without trying. One thread; times from {@link System#nanoTime()}.
 */
final class AdaptiveSpin {

    /** How far the score may go either way: this many waits of the other kind turn the decision around. */
    static final int SCORE_LIMIT = 8;

    private final long spinNanos;
    /** When the relay last had work. */
    private long lastActive = Long.MIN_VALUE / 2;
    /** Nothing was found since lastActive: the next activity ends a wait. */
    private boolean waiting;
    /** Short waits minus long ones, within ±{@link #SCORE_LIMIT}; the relay spins while it is not negative. */
    private int score;

    /** @param spinNanos how long to keep polling after activity; 0 never spins */
    AdaptiveSpin(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** The relay did work at {@code now}: a wait, if one was going on, ends and is scored. */
    void active(long now) {
        if (waiting) {
            waiting = false;
            boolean shortWait = now - lastActive < spinNanos;
            score = shortWait ? Math.min(score + 1, SCORE_LIMIT) : Math.max(score - 1, -SCORE_LIMIT);
        }
        lastActive = now;
    }

    /** The relay found nothing to do at {@code now}: true to look again at once, false to sleep until woken. */
    boolean keepSpinning(long now) {
        waiting = true;
        return spinNanos > 0 && score >= 0 && now - lastActive < spinNanos;
    }

    /** True while the relay spins after activity (for tests). */
    boolean spinsAfterActivity() {
        return score >= 0;
    }
}
