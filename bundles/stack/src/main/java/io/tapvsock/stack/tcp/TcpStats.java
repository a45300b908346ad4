package io.tapvsock.stack.tcp;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** The TCP counters shown under "TCP" in /stats; names follow gVisor's TCPStats where one exists. Network loop only. */
final class TcpStats {

    long passiveOpenings;
    long activeOpenings;
    long resetsSent;
    long resetsReceived;
    long retransmits;
    long fastRetransmits;
    long timeouts;
    /** Keepalive probes sent toward idle guests. */
    long keepalives;
    /** Connections reset because the guest stayed silent (FIN-WAIT-2 timeout, unanswered keepalives). */
    long idleResets;
    long segmentsReceived;
    long segmentsSent;
    long bytesReceived;
    long bytesSent;
    private final Map<String, long[]> failedConnections = new TreeMap<>();
    private final Map<String, long[]> dropped = new TreeMap<>();

    /** A connection that failed to open (a guest SYN that got a RST, or one of ours refused), by reason. */
    void refused(String reason) {
        failedConnections.computeIfAbsent(reason, r -> new long[1])[0]++;
    }

    /** A guest segment that was not used, by reason. */
    void dropped(String reason) {
        dropped.computeIfAbsent(reason, r -> new long[1])[0]++;
    }

    long refusedCount(String reason) {
        long[] count = failedConnections.get(reason);
        return count == null ? 0 : count[0];
    }

    long droppedCount(String reason) {
        long[] count = dropped.get(reason);
        return count == null ? 0 : count[0];
    }

    Map<String, Object> snapshot(int currentConnected, int pendingConnects) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("CurrentConnected", currentConnected);
        out.put("PendingConnects", pendingConnects);
        out.put("PassiveConnectionOpenings", passiveOpenings);
        out.put("ActiveConnectionOpenings", activeOpenings);
        out.put("FailedConnectionAttempts", counts(failedConnections));
        out.put("ResetsSent", resetsSent);
        out.put("ResetsReceived", resetsReceived);
        out.put("Retransmits", retransmits);
        out.put("FastRetransmit", fastRetransmits);
        out.put("Timeouts", timeouts);
        out.put("Keepalives", keepalives);
        out.put("IdleResets", idleResets);
        out.put("SegmentsReceived", segmentsReceived);
        out.put("SegmentsSent", segmentsSent);
        out.put("BytesReceived", bytesReceived);
        out.put("BytesSent", bytesSent);
        out.put("Dropped", counts(dropped));
        return out;
    }

    private static Map<String, Long> counts(Map<String, long[]> counters) {
        Map<String, Long> out = new LinkedHashMap<>();
        counters.forEach((reason, count) -> out.put(reason, count[0]));
        return out;
    }
}
