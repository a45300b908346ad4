package io.tapvsock.service.forwarder.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The forwarder's counters ("service-forwarder" in /stats). Updated on the network loop, read from any thread. */
public final class ForwarderCounters {

    /** Host connections accepted on every forward. */
    public final LongAdder connections = new LongAdder();
    /** Host connections open now. */
    public final LongAdder activeConnections = new LongAdder();
    /** Host connections closed because the guest refused or did not answer. */
    public final LongAdder refused = new LongAdder();
    public final LongAdder bytesToGuest = new LongAdder();
    public final LongAdder bytesToHost = new LongAdder();
    /** Connections that ended with a reset on either side. */
    public final LongAdder resets = new LongAdder();
    /** Requests the in-VM API could not parse. */
    public final LongAdder badRequests = new LongAdder();

    /** @param forwards how many forwards are open now */
    public Map<String, Object> snapshot(int forwards) {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("forwards", (long) forwards);
        snapshot.put("connections", connections.sum());
        snapshot.put("activeConnections", activeConnections.sum());
        snapshot.put("refused", refused.sum());
        snapshot.put("resets", resets.sum());
        snapshot.put("bytesToGuest", bytesToGuest.sum());
        snapshot.put("bytesToHost", bytesToHost.sum());
        snapshot.put("badRequests", badRequests.sum());
        return snapshot;
    }
}
