package io.tapvsock.service.dns.upstream;

import java.time.Duration;

/**
 * How queries go upstream.
 *
 * @param servers where they go
 * @param timeout how long one attempt (UDP, or UDP then TCP after TC) waits for an answer
 * @param attempts how many attempts per query; attempt n goes to server n modulo their number
 * @param maxInFlight the most queries upstream at once; more get SERVFAIL at once
 */
public record ForwarderSettings(UpstreamServers servers, Duration timeout, int attempts, int maxInFlight) {

    public ForwarderSettings {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1: " + attempts);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        }
    }
}
