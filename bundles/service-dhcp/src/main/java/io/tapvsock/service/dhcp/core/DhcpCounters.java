package io.tapvsock.service.dhcp.core;

import io.tapvsock.service.dhcp.wire.MalformedReason;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** The DHCP server's counters for /stats; atomic, so any thread may take a snapshot. */
public final class DhcpCounters {

    /** What is counted besides malformed messages; the lower-case names are the keys in /stats. */
    public enum Counter {
        DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE, DECLINE, INFORM,
        /** A REQUEST, DECLINE or RELEASE addressed to another server. */
        IGNORED,
        /** A client that needed an address found none left. */
        POOL_EXHAUSTED,
        /** A reply sent without option 119 because the client's size limit would not take it. */
        SEARCH_LIST_DROPPED,
        /** The lease file could not be written. */
        LEASE_FILE_ERRORS,
        /** A bug: an exception while handling a message (logged). */
        INTERNAL_ERRORS
    }

    private final AtomicLongArray counts = new AtomicLongArray(Counter.values().length);
    private final AtomicLongArray malformed = new AtomicLongArray(MalformedReason.values().length);

    public void count(Counter counter) {
        counts.incrementAndGet(counter.ordinal());
    }

    public void malformed(MalformedReason reason) {
        malformed.incrementAndGet(reason.ordinal());
    }

    public long get(Counter counter) {
        return counts.get(counter.ordinal());
    }

    public long get(MalformedReason reason) {
        return malformed.get(reason.ordinal());
    }

    /** Every counter by name, malformed messages nested by reason under "malformed". */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        for (Counter counter : Counter.values()) {
            snapshot.put(counter.name().toLowerCase(Locale.ROOT), counts.get(counter.ordinal()));
        }
        Map<String, Object> reasons = new LinkedHashMap<>();
        for (MalformedReason reason : MalformedReason.values()) {
            reasons.put(reason.key(), malformed.get(reason.ordinal()));
        }
        snapshot.put("malformed", reasons);
        return snapshot;
    }
}
