package io.tapvsock.service.sshforward.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of every SSH forward ("service-sshforward" in /stats), or of every ssh-tunnel expose
 * ("service-sshtunnel"). Updated from any thread.
 */
public final class SshForwardCounters {

    /** SSH sessions that came up (a reconnect counts again). */
    public final LongAdder sessions = new LongAdder();
    /** Attempts to open a session that failed (guest not up, sshd down, authentication refused). */
    public final LongAdder sessionFailures = new LongAdder();
    /** Host connections accepted. */
    public final LongAdder connections = new LongAdder();
    /** Host connections open now. */
    public final LongAdder activeConnections = new LongAdder();
    /** Host connections closed unserved: the guest refused the channel, or no session came in time. */
    public final LongAdder connectionFailures = new LongAdder();
    public final LongAdder bytesToGuest = new LongAdder();
    public final LongAdder bytesToHost = new LongAdder();

    /**
     * @param forwards    how many forwards are configured
     * @param sessionsUp  how many of them have a session now
     */
    public Map<String, Object> snapshot(int forwards, int sessionsUp) {
        return snapshot("forwards", forwards, sessionsUp);
    }

    /**
     * @param countKey what the relays are called ("forwards", "tunnels")
     * @param count    how many there are
     */
    public Map<String, Object> snapshot(String countKey, int count, int sessionsUp) {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put(countKey, (long) count);
        snapshot.put("sessionsUp", (long) sessionsUp);
        snapshot.put("sessions", sessions.sum());
        snapshot.put("sessionFailures", sessionFailures.sum());
        snapshot.put("connections", connections.sum());
        snapshot.put("activeConnections", activeConnections.sum());
        snapshot.put("connectionFailures", connectionFailures.sum());
        snapshot.put("bytesToGuest", bytesToGuest.sum());
        snapshot.put("bytesToHost", bytesToHost.sum());
        return snapshot;
    }
}
