package io.tapvsock.service.dhcp.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** Time that moves only when a test says so. */
public final class ManualClock implements InstantSource {

    private Instant now = Instant.parse("2026-05-01T10:00:00Z");

    @Override
    public Instant instant() {
        return now;
    }

    public void advance(Duration duration) {
        now = now.plus(duration);
    }
}
