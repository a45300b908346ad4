package io.tapvsock.transport.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkCountersTest {

    @Test
    void declaredCountersShowBeforeAnythingHappened() {
        Map<String, Object> snapshot = new LinkCounters(List.of("clientsRefused"), List.of("closes")).snapshot();
        assertEquals(0L, snapshot.get("clientsRefused"));
        assertEquals(Map.of(), snapshot.get("closes"));
        assertEquals(Map.of(), snapshot.get(LinkCounters.DROPS_IN));
        assertEquals(Map.of(), snapshot.get(LinkCounters.DROPS_OUT));
        assertEquals(0L, snapshot.get("framesIn"));
    }

    @Test
    void countsTrafficOffloadAndReasons() {
        LinkCounters counters = new LinkCounters(List.of("writeWaits"), List.of("linkFailures"));
        counters.frameIn(60);
        counters.frameIn(1514);
        counters.frameOut(42);
        counters.offloadedIn(true);
        counters.offloadedIn(false);
        counters.superSegmentOut();
        counters.stackError();
        counters.droppedIn("vnet-header-short");
        counters.droppedIn("vnet-header-short");
        counters.droppedOut("link-down");
        counters.increment("writeWaits");
        counters.increment("undeclared");
        counters.count("linkFailures", "read-error");

        Map<String, Object> snapshot = counters.snapshot();
        assertEquals(2L, snapshot.get("framesIn"));
        assertEquals(1574L, snapshot.get("bytesIn"));
        assertEquals(1L, snapshot.get("framesOut"));
        assertEquals(42L, snapshot.get("bytesOut"));
        assertEquals(2L, snapshot.get("offloadedFramesIn"));
        assertEquals(1L, snapshot.get("superSegmentsIn"));
        assertEquals(1L, snapshot.get("superSegmentsOut"));
        assertEquals(1L, snapshot.get("stackErrors"));
        assertEquals(Map.of("vnet-header-short", 2L), snapshot.get(LinkCounters.DROPS_IN));
        assertEquals(Map.of("link-down", 1L), snapshot.get(LinkCounters.DROPS_OUT));
        assertEquals(1L, snapshot.get("writeWaits"));
        assertEquals(1L, counters.get("undeclared"));
        assertEquals(0L, counters.get("never"));
        assertEquals(Map.of("read-error", 1L), snapshot.get("linkFailures"));
    }
}
