package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.NetworkSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StaticLeaseEditsTest {

    private static final NetworkSettings SETTINGS = NetworkSettings.defaults();
    private static final StaticLease DEVICE = StaticLease.parse("192.168.127.2=5a:94:ef:e4:0c:ee");
    private static final StaticLease OTHER = StaticLease.parse("192.168.127.50=02:00:00:00:00:50");

    @Test
    void add_keepsGvproxysDefaultWhenNoneIsConfigured() {
        assertEquals(List.of(DEVICE, OTHER), StaticLeaseEdits.add(Map.of(), SETTINGS, OTHER));
        assertEquals(List.of(OTHER), StaticLeaseEdits.add(Map.of("staticLeases", ""), SETTINGS, OTHER));
    }

    @Test
    void add_refusesAnAddressOrMacTakenOrOutsideTheNetwork() {
        String taken = assertThrows(IllegalArgumentException.class, () -> StaticLeaseEdits.add(Map.of(), SETTINGS,
                StaticLease.parse("192.168.127.2=02:00:00:00:00:01"))).getMessage();
        assertTrue(taken.contains("192.168.127.2=5a:94:ef:e4:0c:ee"), taken);
        assertThrows(IllegalArgumentException.class, () -> StaticLeaseEdits.add(Map.of(), SETTINGS,
                StaticLease.parse("192.168.127.9=5a:94:ef:e4:0c:ee")));
        String gateway = assertThrows(IllegalArgumentException.class, () -> StaticLeaseEdits.add(Map.of(), SETTINGS,
                StaticLease.parse("192.168.127.1=02:00:00:00:00:01"))).getMessage();
        assertTrue(gateway.startsWith("staticLeases: ") && gateway.contains("gateway"), gateway);
    }

    @Test
    void remove_byAddressOrMac() {
        Map<String, Object> properties = Map.of("staticLeases", StaticLeaseEdits.toCfgValue(List.of(DEVICE, OTHER)));
        assertEquals(List.of(DEVICE), StaticLeaseEdits.remove(properties, SETTINGS, "192.168.127.50"));
        assertEquals(List.of(OTHER), StaticLeaseEdits.remove(properties, SETTINGS, "5A:94:EF:E4:0C:EE"));
        assertEquals(List.of(), StaticLeaseEdits.remove(Map.of(), SETTINGS, "192.168.127.2"));
        assertEquals("no static lease for 192.168.127.9", assertThrows(IllegalArgumentException.class,
                () -> StaticLeaseEdits.remove(properties, SETTINGS, "192.168.127.9")).getMessage());
    }

    @Test
    void cfgValue_readsBackTheSame() {
        String value = StaticLeaseEdits.toCfgValue(List.of(DEVICE, OTHER));
        assertEquals("192.168.127.2=5a:94:ef:e4:0c:ee,192.168.127.50=02:00:00:00:00:50", value);
        assertEquals(List.of(DEVICE, OTHER), DhcpConfig.fromProperties(Map.of("staticLeases", value)).staticLeases(SETTINGS));
    }
}
