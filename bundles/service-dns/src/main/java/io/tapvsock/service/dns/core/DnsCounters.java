package io.tapvsock.service.dns.core;

import io.tapvsock.service.dns.wire.MalformedReason;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** The DNS server's counters for /stats ("service-dns"); atomic, so any thread may take a snapshot. */
public final class DnsCounters {

    /** The lower-case names are the keys in /stats. */
    public enum Counter {
        /** Every message received, malformed ones included. */
        QUERIES,
        /** Answered from the local zones (an address, NODATA or NXDOMAIN). */
        ANSWERED_LOCALLY,
        /** Sent to an upstream resolver. */
        FORWARDED,
        /** Upstream answers relayed to the guest as they came. */
        RELAYED,
        /** Answers too big for the guest's UDP limit, sent truncated with TC. */
        TRUNCATED,
        /** SERVFAIL sent because no upstream answered. */
        SERVFAIL,
        /** FORMERR sent to a malformed query. */
        FORMERR,
        /** NOTIMP sent to an opcode other than QUERY. */
        NOTIMP,
        /** Upstream attempts that timed out. */
        UPSTREAM_TIMEOUTS,
        /** Upstream attempts refused (ICMP port unreachable, TCP RST, no route). */
        UPSTREAM_ERRORS,
        /** Upstream UDP answers with TC set, asked again over TCP. */
        UPSTREAM_TCP_RETRIES,
        /** Datagrams from an upstream that did not answer our query (wrong ID or question): ignored. */
        UPSTREAM_MISMATCHED,
        /** Queries refused with SERVFAIL because the limit of queries in flight was reached. */
        BUSY,
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
