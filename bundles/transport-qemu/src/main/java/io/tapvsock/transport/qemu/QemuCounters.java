package io.tapvsock.transport.qemu;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The qemu transport's counters, shared by all its listeners. Updated on the network loop, read by any thread
 * (LongAdder: cheap to bump, safe to sum from the stats thread).
 */
public final class QemuCounters {

    private final LongAdder framesIn = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder framesOut = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder clientsAccepted = new LongAdder();
    private final LongAdder clientsRefused = new LongAdder();
    private final LongAdder stackErrors = new LongAdder();
    private final LongAdder vnetConnections = new LongAdder();
    private final LongAdder offloadedFramesIn = new LongAdder();
    private final LongAdder superSegmentsIn = new LongAdder();
    private final LongAdder superSegmentsOut = new LongAdder();
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropsOut = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropsIn = new ConcurrentHashMap<>();

    void frameIn(int length) {
        framesIn.increment();
        bytesIn.add(length);
    }

    void frameOut(int length) {
        framesOut.increment();
        bytesOut.add(length);
    }

    void clientAccepted() {
        clientsAccepted.increment();
    }

    void clientRefused() {
        clientsRefused.increment();
    }

    /** The stack threw while taking a frame (a bug there; the connection stays up). */
    void stackError() {
        stackErrors.increment();
    }

    /** A connection entered vnet mode (a virtio-net header on every frame both ways). */
    void vnetConnection() {
        vnetConnections.increment();
    }

    /** In vnet mode: a frame whose header left checksum or (superSegment) segmentation work. */
    void offloadedIn(boolean superSegment) {
        offloadedFramesIn.increment();
        if (superSegment) {
            superSegmentsIn.increment();
        }
    }

    /** In vnet mode: a frame went out as a TCP super-segment for the guest's kernel to cut. */
    void superSegmentOut() {
        superSegmentsOut.increment();
    }

    /** A frame from the guest was dropped (the connection stays), for a short reason such as "vnet-header-short". */
    void droppedIn(String reason) {
        dropsIn.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A client connection ended, for a short reason such as "peer-closed" or "frame-too-long". */
    void closed(String reason) {
        closes.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** A frame toward the guest was not sent, for a short reason such as "link-down". */
    void droppedOut(String reason) {
        dropsOut.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** Counters by name, sorted; close and drop reasons are nested maps. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new TreeMap<>();
        snapshot.put("framesIn", framesIn.sum());
        snapshot.put("bytesIn", bytesIn.sum());
        snapshot.put("framesOut", framesOut.sum());
        snapshot.put("bytesOut", bytesOut.sum());
        snapshot.put("clientsAccepted", clientsAccepted.sum());
        snapshot.put("clientsRefused", clientsRefused.sum());
        snapshot.put("stackErrors", stackErrors.sum());
        snapshot.put("vnetConnections", vnetConnections.sum());
        snapshot.put("offloadedFramesIn", offloadedFramesIn.sum());
        snapshot.put("superSegmentsIn", superSegmentsIn.sum());
        snapshot.put("superSegmentsOut", superSegmentsOut.sum());
        snapshot.put("dropsIn", sums(dropsIn));
        snapshot.put("closes", sums(closes));
        snapshot.put("dropsOut", sums(dropsOut));
        return snapshot;
    }

    private static Map<String, Object> sums(Map<String, LongAdder> counters) {
        Map<String, Object> sums = new TreeMap<>();
        counters.forEach((reason, count) -> sums.put(reason, count.sum()));
        return sums;
    }
}
