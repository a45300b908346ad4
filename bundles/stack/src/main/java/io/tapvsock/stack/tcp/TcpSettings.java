package io.tapvsock.stack.tcp;

import java.util.concurrent.TimeUnit;

/**
 * Limits and timers of the TCP NAT. Durations are nanoseconds.
 *
 * @param receiveBuffer per-connection bytes from the guest toward the host socket; the window offered to the guest
 *     is the free room in it
 * @param sendBuffer per-connection bytes read from the host socket and not yet acknowledged by the guest
 * @param minRto lower bound of the retransmission timeout (RFC 6298 says 1 s; a local link lives with less)
 * @param maxRto upper bound of the retransmission timeout, also after backoff (RFC 6298 §2.5)
 * @param initialRto the timeout before the first RTT sample (RFC 6298 §2.1)
 * @param timeWait how long TIME-WAIT lasts: short, since our side never reuses the 4-tuple
 * @param connectTimeoutMillis how long a host connect may take before the guest gets a RST
 * @param maxPendingConnects host connects in flight at once; more SYNs get a RST
 * @param maxConnections connections in any state; more SYNs get a RST
 * @param maxOutOfOrderSegments guest segments held ahead of a hole; more are dropped (the guest resends)
 * @param maxRetransmissions consecutive timeouts before the connection is given up (RFC 9293 R2)
 */
public record TcpSettings(int receiveBuffer, int sendBuffer, long minRto, long maxRto, long initialRto, long timeWait,
        int connectTimeoutMillis, int maxPendingConnects, int maxConnections, int maxOutOfOrderSegments,
        int maxRetransmissions) {

    public TcpSettings {
        if (receiveBuffer < 2048 || sendBuffer < 2048) {
            throw new IllegalArgumentException("TCP buffers must be at least 2048 bytes");
        }
        if (minRto <= 0 || maxRto < minRto || initialRto < minRto || initialRto > maxRto) {
            throw new IllegalArgumentException("TCP RTO bounds must satisfy 0 < min <= initial <= max");
        }
        if (timeWait < 0 || connectTimeoutMillis <= 0 || maxPendingConnects <= 0 || maxConnections <= 0
                || maxOutOfOrderSegments < 0 || maxRetransmissions <= 0) {
            throw new IllegalArgumentException("TCP limits must be positive");
        }
    }

    public static TcpSettings defaults() {
        return new TcpSettings(4 << 20, 4 << 20, TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.SECONDS.toNanos(60),
                TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(2), 30_000, 128, 16384, 64, 15);
    }

    /**
     * The window scale we offer (RFC 7323 §2.3): the smallest shift that lets a 16-bit window field cover the
     * whole receive buffer.
     */
    public int windowScale() {
        int shift = 0;
        while (shift < 14 && (65535L << shift) < receiveBuffer) {
            shift++;
        }
        return shift;
    }
}
