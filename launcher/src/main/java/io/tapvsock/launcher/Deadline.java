package io.tapvsock.launcher;

import java.time.Duration;

/** A point in time by the monotonic clock, for the startup waits. */
record Deadline(long nanos) {

    static Deadline in(Duration timeout) {
        return new Deadline(System.nanoTime() + timeout.toNanos());
    }

    boolean expired() {
        return System.nanoTime() - nanos >= 0;
    }
}
