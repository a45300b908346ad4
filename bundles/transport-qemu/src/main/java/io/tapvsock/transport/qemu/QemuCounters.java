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
    private final Map<String, LongAdder> closes = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> dropsOut = new ConcurrentHashMap<>();

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
