package io.tapvsock.transport.tap;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The tap transport's counters, shared by all its links. Updated on the network loop, read by any thread
 * (LongAdder: cheap to bump, safe to sum from the stats thread).
 */
public final class TapCounters {

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder stackErrors = new LongAdder();
    private final LongAdder writeWaits = new LongAdder();
    private final LongAdder offloadedFramesIn = new LongAdder();
    private final LongAdder superSegmentsIn = new LongAdder();
    private final LongAdder superSegmentsOut = new LongAdder();
    private final Map<String, LongAdder> dropsIn = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropsOut = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> linkFailures = new ConcurrentHashMap<>();

    void frameIn(int length) {
        framesIn.increment();
        bytesIn.add(length);
    }

    void frameOut(int length) {
        framesOut.increment();
        bytesOut.add(length);
    }

    /** The stack threw while taking a frame (a bug there; the link stays up). */
    void stackError() {
        stackErrors.increment();
    }

    /** A write found the TAP's queue full (EAGAIN): the rest waits for EPOLLOUT. */
    void writeWait() {
        writeWaits.increment();
    }

    /**
     * A frame from the guest carried offload work in its virtio-net header (a partial or already verified
     * checksum, or segmentation); {@code superSegment} when it was a TCP/IPv4 super-segment (gso_type TCPV4).
     */
    void offloadedIn(boolean superSegment) {
        offloadedFramesIn.increment();
        if (superSegment) {
            superSegmentsIn.increment();
        }
    }

    /** A TCP/IPv4 super-segment went to the guest's kernel for segmentation (gso_type TCPV4). */
    void superSegmentOut() {
        superSegmentsOut.increment();
    }

    /** A frame from the guest was not handed to the network, for a short reason such as "vnet-header-short". */
    void droppedIn(String reason) {
        dropsIn.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A frame toward the guest was not written, for a short reason such as "link-down" or "write-error". */
    void droppedOut(String reason) {
        dropsOut.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A link stopped for good, for a short reason such as "read-error". */
    void linkFailed(String reason) {
        linkFailures.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Counters by name, sorted; drop and failure reasons are nested maps. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new TreeMap<>();
        snapshot.put("framesIn", framesIn.sum());
        snapshot.put("bytesIn", bytesIn.sum());
        snapshot.put("framesOut", framesOut.sum());
        snapshot.put("bytesOut", bytesOut.sum());
        snapshot.put("stackErrors", stackErrors.sum());
        snapshot.put("writeWaits", writeWaits.sum());
        snapshot.put("offloadedFramesIn", offloadedFramesIn.sum());
        snapshot.put("superSegmentsIn", superSegmentsIn.sum());
        snapshot.put("superSegmentsOut", superSegmentsOut.sum());
        snapshot.put("dropsIn", sums(dropsIn));
        snapshot.put("dropsOut", sums(dropsOut));
        snapshot.put("linkFailures", sums(linkFailures));
        return snapshot;
    }

    private static Map<String, Object> sums(Map<String, LongAdder> counters) {
        Map<String, Object> sums = new TreeMap<>();
        counters.forEach((reason, count) -> sums.put(reason, count.sum()));
        return sums;
    }
}
