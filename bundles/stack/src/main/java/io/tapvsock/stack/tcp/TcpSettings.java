package io.tapvsock.stack.tcp;

import java.util.concurrent.TimeUnit;

/**
 * Limits and timers of the TCP NAT. Durations are nanoseconds.
 *
 * @param receiveBuffer per-connection bytes from the guest toward the host socket; the window offered to the guest
 *     is the free room in it
 * @param sendBuffer per-connection bytes read from the host socket and not yet acknowledged by the guest (the
 *     retransmission queue); one host read (at most 64 KiB) may pass it
 * @param minRto lower bound of the retransmission timeout (RFC 6298 says 1 s; a local link lives with less)
 * @param maxRto upper bound of the retransmission timeout, also after backoff (RFC 6298 §2.5)
 * @param initialRto the timeout before the first RTT sample (RFC 6298 §2.1)
 * @param timeWait how long TIME-WAIT lasts: short, since our side never reuses the 4-tuple
 * @param connectTimeoutMillis how long a host connect may take before the guest gets a RST
 * @param maxPendingConnects host connects in flight at once toward one destination (address and port); a SYN
 *     beyond it is dropped and counted, and the guest's own SYN retransmission tries again later. Per
 *     destination, so a blackholed one never stalls connects elsewhere
 * @param maxConnections connections in any state; more SYNs get a RST
 * @param maxOutOfOrderSegments guest segments held ahead of a hole; more are dropped (the guest resends)
 * @param maxRetransmissions consecutive timeouts before the connection is given up (RFC 9293 R2); also unanswered
 *     zero-window probes
 * @param finWait2Timeout a connection in FIN-WAIT-2 (the host ended, the guest has not) with a guest silent this
 *     long is reset, so a guest that never closes cannot pin it forever
 * @param keepaliveIdle idle time before keepalive probes toward the guest (RFC 1122 §4.2.3.6); 0 turns them off
 * @param keepaliveInterval time between unanswered keepalive probes
 * @param keepaliveProbes unanswered keepalive probes before the connection is reset
 * @param delayedAck how long the ACK of one lone guest segment waits for host data to ride on (RFC 1122
 *     §4.2.3.2 allows up to 500 ms; a request's answer from the host usually comes in tens of µs, and the ACK then
 *     costs the guest nothing); 0 acknowledges at the end of the guest's burst
 */
public record TcpSettings(int receiveBuffer, int sendBuffer, long minRto, long maxRto, long initialRto, long timeWait,
        int connectTimeoutMillis, int maxPendingConnects, int maxConnections, int maxOutOfOrderSegments,
        int maxRetransmissions, long finWait2Timeout, long keepaliveIdle, long keepaliveInterval,
        int keepaliveProbes, long delayedAck) {

    public static final int DEFAULT_BUFFER = 4 << 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 16384;
    public static final int DEFAULT_MAX_PENDING_CONNECTS = 128;
    public static final int DEFAULT_CONNECT_TIMEOUT_MILLIS = 30_000;
    public static final long DEFAULT_DELAYED_ACK = TimeUnit.MILLISECONDS.toNanos(1);

    public TcpSettings {
        if (receiveBuffer < 2048 || sendBuffer < 2048) {
            throw new IllegalArgumentException("TCP buffers must be at least 2048 bytes");
        }
        if (minRto <= 0 || maxRto < minRto || initialRto < minRto || initialRto > maxRto) {
            throw new IllegalArgumentException("TCP RTO bounds must satisfy 0 < min <= initial <= max");
        }
        if (timeWait < 0 || connectTimeoutMillis <= 0 || maxPendingConnects <= 0 || maxConnections <= 0
                || maxOutOfOrderSegments < 0 || maxRetransmissions <= 0 || finWait2Timeout <= 0) {
            throw new IllegalArgumentException("TCP limits must be positive");
        }
        if (delayedAck < 0 || delayedAck > TimeUnit.MILLISECONDS.toNanos(500)) {
            throw new IllegalArgumentException("TCP delayed ACK must be between 0 and 500 ms");
        }
        if (keepaliveIdle < 0 || (keepaliveIdle > 0 && (keepaliveInterval <= 0 || keepaliveProbes <= 0))) {
            throw new IllegalArgumentException("TCP keepalive needs a positive interval and probe count");
        }
    }

    public static TcpSettings defaults() {
        return new TcpSettings(DEFAULT_BUFFER, DEFAULT_BUFFER, TimeUnit.MILLISECONDS.toNanos(200),
                TimeUnit.SECONDS.toNanos(60), TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(2),
                DEFAULT_CONNECT_TIMEOUT_MILLIS, DEFAULT_MAX_PENDING_CONNECTS, DEFAULT_MAX_CONNECTIONS, 64, 15,
                TimeUnit.SECONDS.toNanos(60), 0, TimeUnit.SECONDS.toNanos(75), 9, DEFAULT_DELAYED_ACK);
    }

    /** The same settings with other connection limits and buffer sizes (the configurable part). */
    public TcpSettings withLimits(int maxConnections, int maxPendingConnects, int connectTimeoutMillis,
            int bufferBytes) {
        return new TcpSettings(bufferBytes, bufferBytes, minRto, maxRto, initialRto, timeWait, connectTimeoutMillis,
                maxPendingConnects, maxConnections, maxOutOfOrderSegments, maxRetransmissions, finWait2Timeout,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, delayedAck);
    }

    /** The same settings with keepalive probes toward idle guests; an idle time of 0 turns them off. */
    public TcpSettings withKeepalive(long idle, long interval, int probes) {
        return new TcpSettings(receiveBuffer, sendBuffer, minRto, maxRto, initialRto, timeWait, connectTimeoutMillis,
                maxPendingConnects, maxConnections, maxOutOfOrderSegments, maxRetransmissions, finWait2Timeout, idle,
                interval, probes, delayedAck);
    }

    /** The same settings with another FIN-WAIT-2 timeout. */
    public TcpSettings withFinWait2Timeout(long timeout) {
        return new TcpSettings(receiveBuffer, sendBuffer, minRto, maxRto, initialRto, timeWait, connectTimeoutMillis,
                maxPendingConnects, maxConnections, maxOutOfOrderSegments, maxRetransmissions, timeout, keepaliveIdle,
                keepaliveInterval, keepaliveProbes, delayedAck);
    }

    /** The same settings with another delayed-ACK time (0: acknowledge at the end of the guest's burst). */
    public TcpSettings withDelayedAck(long delay) {
        return new TcpSettings(receiveBuffer, sendBuffer, minRto, maxRto, initialRto, timeWait, connectTimeoutMillis,
                maxPendingConnects, maxConnections, maxOutOfOrderSegments, maxRetransmissions, finWait2Timeout,
                keepaliveIdle, keepaliveInterval, keepaliveProbes, delay);
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
