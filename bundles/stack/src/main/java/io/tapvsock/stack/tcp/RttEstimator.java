package io.tapvsock.stack.tcp;

/**
 * The retransmission timeout of RFC 6298 (read §2-§5 before editing): smoothed RTT and its variance from one
 * sample per flight (Karn's algorithm is the sender's job: it never samples a retransmitted segment), clamped to
 * configured bounds, doubled on each timeout. Times are nanoseconds.
 */
final class RttEstimator {

    /** Clock granularity G of RFC 6298 §2: we measure in nanoseconds, but a millisecond keeps RTO sane. */
    private static final long GRANULARITY = 1_000_000L;

    private final long minRto;
    private final long maxRto;
    private long srtt;
    private long rttvar;
    private boolean sampled;
    /** The current timeout, backoff included. */
    private long rto;

    RttEstimator(long initialRto, long minRto, long maxRto) {
        this.minRto = minRto;
        this.maxRto = maxRto;
        this.rto = initialRto;
    }

    /** One round-trip measurement (RFC 6298 §2.2-2.3); also ends any backoff (§5.7). */
    void sample(long rtt) {
        if (rtt < 0) {
            return;
        }
        if (!sampled) {
            srtt = rtt;
            rttvar = rtt / 2;
            sampled = true;
        } else {
            // rttvar = 3/4 rttvar + 1/4 |srtt - r|; srtt = 7/8 srtt + 1/8 r
            rttvar = rttvar - (rttvar >> 2) + (Math.abs(srtt - rtt) >> 2);
            srtt = srtt - (srtt >> 3) + (rtt >> 3);
        }
        rto = clamp(srtt + Math.max(GRANULARITY, 4 * rttvar));
    }

    /** A timeout fired: double the timeout up to the maximum (RFC 6298 §5.5). */
    void backOff() {
        rto = Math.min(maxRto, rto * 2);
    }

    long rto() {
        return rto;
    }

    /** The timeout doubled {@code times} times, within the maximum (zero-window probes back off this way). */
    long backedOff(int times) {
        return Math.min(maxRto, rto << Math.min(times, 20));
    }

    /** The smoothed RTT, 0 before the first sample. */
    long srtt() {
        return srtt;
    }

    private long clamp(long value) {
        return Math.max(minRto, Math.min(maxRto, value));
    }
}
