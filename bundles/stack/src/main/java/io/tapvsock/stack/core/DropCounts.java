package io.tapvsock.stack.core;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Dropped packets counted by reason ("ipv4-bad-checksum"): /stats shows them under "Drops". Network loop only.
 * Reasons are string constants, so counting one is a hash lookup on a cached hash code and allocates nothing
 * after the first time a reason is seen.
 */
public final class DropCounts {

    private final Map<String, long[]> counts = new HashMap<>();

    public void count(String reason) {
        long[] count = counts.get(reason);
        if (count == null) {
            count = new long[1];
            counts.put(reason, count);
        }
        count[0]++;
    }

    public long get(String reason) {
        long[] count = counts.get(reason);
        return count == null ? 0 : count[0];
    }

    public long total() {
        long total = 0;
        for (long[] count : counts.values()) {
            total += count[0];
        }
        return total;
    }

    /** Reason to count (Long), sorted by reason. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new TreeMap<>();
        counts.forEach((reason, count) -> snapshot.put(reason, count[0]));
        return snapshot;
    }
}
