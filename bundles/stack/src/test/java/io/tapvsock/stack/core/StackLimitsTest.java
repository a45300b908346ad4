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
    void readsTcpLimits() {
        StackLimits limits = StackLimits.fromProperties(Map.of("tcpMaxConnections", "100", "tcpMaxPendingConnects", 8,
                "tcpConnectTimeoutSeconds", "5", "tcpBufferBytes", 1 << 20, "tcpKeepaliveSeconds", "60"));
        assertEquals(100, limits.tcp().maxConnections());
        assertEquals(8, limits.tcp().maxPendingConnects());
        assertEquals(5_000, limits.tcp().connectTimeoutMillis());
        assertEquals(1 << 20, limits.tcp().receiveBuffer());
        assertEquals(1 << 20, limits.tcp().sendBuffer());
        assertEquals(60_000_000_000L, limits.tcp().keepaliveIdle());
        assertEquals(16384, StackLimits.fromProperties(Map.of()).tcp().maxConnections());
        assertEquals(0, StackLimits.fromProperties(Map.of()).tcp().keepaliveIdle());
        assertEquals("tcpBufferBytes: 10 is outside 16384..1073741824",
                assertThrows(IllegalArgumentException.class,
                        () -> StackLimits.fromProperties(Map.of("tcpBufferBytes", 10))).getMessage());
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
