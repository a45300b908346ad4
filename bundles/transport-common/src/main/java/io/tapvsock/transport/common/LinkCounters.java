package io.tapvsock.transport.common;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One transport's counters, shared by all its links (connections, TAPs, sockets): the traffic every link has,
 * plus the transport's own counters by name. Updated on the network loop, read by any thread (LongAdder: cheap
 * to bump, safe to sum from the stats thread).
 *
 * <p>Every transport has frames and bytes each way, stack errors, offload counters and the reasons frames were
 * dropped each way ({@code dropsIn}, {@code dropsOut}). A transport declares its other counters up front, so
 * they show as 0 (a count) or {} (reasons) in {@link #snapshot()} before anything happened: e.g. the qemu
 * transport's {@code clientsRefused} and {@code closes}.
 */
public final class LinkCounters {

    public static final String DROPS_IN = "dropsIn";
    public static final String DROPS_OUT = "dropsOut";

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder stackErrors = new LongAdder();
    private final LongAdder offloadedFramesIn = new LongAdder();
    private final LongAdder superSegmentsIn = new LongAdder();
    private final LongAdder superSegmentsOut = new LongAdder();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, LongAdder>> reasons = new ConcurrentHashMap<>();

    /** Only the counters every transport has. */
    public LinkCounters() {
        this(List.of(), List.of());
    }

    /**
     * @param counts  the transport's own counts, shown from the start
     * @param reasons the transport's own counts by reason (e.g. "closes"), shown from the start
     */
    public LinkCounters(List<String> counts, List<String> reasons) {
        counts.forEach(name -> this.counts.put(name, new LongAdder()));
        this.reasons.put(DROPS_IN, new ConcurrentHashMap<>());
        this.reasons.put(DROPS_OUT, new ConcurrentHashMap<>());
        reasons.forEach(name -> this.reasons.put(name, new ConcurrentHashMap<>()));
    }

    public void frameIn(int length) {
        framesIn.increment();
        bytesIn.add(length);
    }

    public void frameOut(int length) {
        framesOut.increment();
        bytesOut.add(length);
    }

    /** The stack threw while taking a frame (a bug there; the link stays up). */
    public void stackError() {
        stackErrors.increment();
    }

    /**
     * A frame from the guest carried offload work in its virtio-net header (a partial or already verified
     * checksum, or segmentation); {@code superSegment} when it was a TCP/IPv4 super-segment (gso_type TCPV4).
     */
    public void offloadedIn(boolean superSegment) {
        offloadedFramesIn.increment();
        if (superSegment) {
            superSegmentsIn.increment();
        }
    }

    /** A TCP/IPv4 super-segment went to the guest's kernel for segmentation (gso_type TCPV4). */
    public void superSegmentOut() {
        superSegmentsOut.increment();
    }

    /** A frame from the guest was not handed to the network, for a short reason such as "vnet-header-short". */
    public void droppedIn(String reason) {
        count(DROPS_IN, reason);
    }

    /** A frame toward the guest was not sent, for a short reason such as "link-down". */
    public void droppedOut(String reason) {
        count(DROPS_OUT, reason);
    }

    /** One more of the transport's own count {@code name} (declared or not). */
    public void increment(String name) {
        counts.computeIfAbsent(name, n -> new LongAdder()).increment();
    }

    /** One more {@code reason} in the transport's own group {@code group}, e.g. ("closes", "peer-closed"). */
    public void count(String group, String reason) {
        reasons.computeIfAbsent(group, g -> new ConcurrentHashMap<>())
                .computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** The current value of a count, 0 if it never happened. */
    public long get(String name) {
        LongAdder count = counts.get(name);
        return count == null ? 0 : count.sum();
    }

    /** Counters by name, sorted; each group of reasons is a nested sorted map. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new TreeMap<>();
        snapshot.put("framesIn", framesIn.sum());
        snapshot.put("bytesIn", bytesIn.sum());
        snapshot.put("framesOut", framesOut.sum());
        snapshot.put("bytesOut", bytesOut.sum());
        snapshot.put("stackErrors", stackErrors.sum());
        snapshot.put("offloadedFramesIn", offloadedFramesIn.sum());
        snapshot.put("superSegmentsIn", superSegmentsIn.sum());
        snapshot.put("superSegmentsOut", superSegmentsOut.sum());
        counts.forEach((name, count) -> snapshot.put(name, count.sum()));
        reasons.forEach((group, byReason) -> {
            Map<String, Object> sums = new TreeMap<>();
            byReason.forEach((reason, count) -> sums.put(reason, count.sum()));
            snapshot.put(group, sums);
        });
        return snapshot;
    }
}
