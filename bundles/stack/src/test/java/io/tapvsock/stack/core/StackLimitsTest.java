package io.tapvsock.stack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StackLimitsTest {

    @Test
    void defaultsAreGvproxys() {
        assertEquals(new StackLimits(90, 4096), StackLimits.fromProperties(Map.of()));
    }

    @Test
    void readsTextAndNumbers() {
        assertEquals(new StackLimits(30, 10), StackLimits.fromProperties(Map.of("udpFlowIdleSeconds", "30", "udpMaxFlows", 10)));
    }

    @Test
    void errorsNameTheField() {
        assertEquals("udpMaxFlows: 0 is outside 1..1000000",
                assertThrows(IllegalArgumentException.class, () -> StackLimits.fromProperties(Map.of("udpMaxFlows", "0")))
                        .getMessage());
        assertEquals("udpFlowIdleSeconds: \"soon\" is not a whole number",
                assertThrows(IllegalArgumentException.class,
                        () -> StackLimits.fromProperties(Map.of("udpFlowIdleSeconds", "soon"))).getMessage());
    }

    @Test
    void dropCountsCountByReason() {
        DropCounts drops = new DropCounts();
        drops.count("b");
        drops.count("a");
        drops.count("b");
        assertEquals(Map.of("a", 1L, "b", 2L), drops.snapshot());
        assertEquals(3, drops.total());
    }
}
