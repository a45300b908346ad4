package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The relay's spin decision on a scripted clock (nanoseconds). */
class AdaptiveSpinTest {

    private static final long SPIN = 300_000;

    @Test
    void spinsAfterActivity_onlyWithinTheSpin() {
        AdaptiveSpin spin = new AdaptiveSpin(SPIN);
        spin.active(1_000_000);
        assertTrue(spin.keepSpinning(1_000_000 + SPIN - 1));
        assertFalse(spin.keepSpinning(1_000_000 + SPIN), "the spin is over: sleep");
    }

    @Test
    void longWaitsStopTheSpin_shortOnesBringItBack() {
        AdaptiveSpin spin = new AdaptiveSpin(SPIN);
        long now = 0;
        spin.active(now);
        for (int i = 0; i < AdaptiveSpin.SCORE_LIMIT; i++) { // idle link: every wait outlasts the spin
            spin.keepSpinning(now + 1);
            now += 10 * SPIN;
            spin.active(now);
        }
        assertFalse(spin.spinsAfterActivity());
        assertFalse(spin.keepSpinning(now + 1), "right after activity, yet no spin: it would not pay");

        for (int i = 0; i < AdaptiveSpin.SCORE_LIMIT; i++) { // a ping-pong: answers come within the spin
            now += SPIN / 3;
            spin.active(now);
            spin.keepSpinning(now + 1);
        }
        assertTrue(spin.spinsAfterActivity(), "short waits are counted while sleeping too");
        assertTrue(spin.keepSpinning(now + 2));
    }

    @Test
    void busyWithoutWaits_keepsTheScore() {
        AdaptiveSpin spin = new AdaptiveSpin(SPIN);
        for (long now = 0; now < 100 * SPIN; now += 10 * SPIN) {
            spin.active(now); // no keepSpinning between: never waited, so nothing is scored
        }
        assertTrue(spin.spinsAfterActivity());
    }

    @Test
    void zero_neverSpins() {
        AdaptiveSpin spin = new AdaptiveSpin(0);
        spin.active(5);
        assertFalse(spin.keepSpinning(5));
    }
}
