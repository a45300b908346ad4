package io.tapvsock.service.tunnel;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** The tunnels' counters ("service-tunnel" in /stats). Updated on the network loop, read from any thread. */
final class TunnelCounters {

    /** Tunnels whose guest connection came up (the client got {@code OK}). */
    final LongAdder opened = new LongAdder();
    /** Tunnels open now. */
    final LongAdder active = new LongAdder();
    /** Requests answered with an error: a bad ip or port, or a guest that refused or did not answer. */
    final LongAdder failed = new LongAdder();
    /** Of those, the guest refused or did not answer. */
    final LongAdder refused = new LongAdder();
    final LongAdder bytesToGuest = new LongAdder();
    final LongAdder bytesToClient = new LongAdder();
    /** Tunnels that ended with a reset on either side. */
    final LongAdder resets = new LongAdder();

    Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("opened", opened.sum());
        snapshot.put("active", active.sum());
        snapshot.put("failed", failed.sum());
        snapshot.put("refused", refused.sum());
        snapshot.put("resets", resets.sum());
        snapshot.put("bytesToGuest", bytesToGuest.sum());
        snapshot.put("bytesToClient", bytesToClient.sum());
        return snapshot;
    }
}
