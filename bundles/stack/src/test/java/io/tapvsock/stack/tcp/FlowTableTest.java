package io.tapvsock.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlowTableTest {

    @Test
    void putGetRemove_manyKeysThroughGrowthAndBackwardShift() {
        FlowTable<String> table = new FlowTable<>();
        int n = 5000;
        for (int i = 0; i < n; i++) {
            table.put(FlowTable.addresses(0xC0A8_7F02, i), FlowTable.ports(40000 + (i & 7), 80), "v" + i);
        }
        assertEquals(n, table.size());
        for (int i = 0; i < n; i += 2) {
            long addresses = FlowTable.addresses(0xC0A8_7F02, i);
            int ports = FlowTable.ports(40000 + (i & 7), 80);
            assertTrue(table.remove(addresses, ports, table.get(addresses, ports)));
        }
        assertEquals(n / 2, table.size());
        for (int i = 0; i < n; i++) {
            String got = table.get(FlowTable.addresses(0xC0A8_7F02, i), FlowTable.ports(40000 + (i & 7), 80));
            if (i % 2 == 0) {
                assertNull(got);
            } else {
                assertEquals("v" + i, got);
            }
        }
        assertEquals(n / 2, table.values().size());
    }

    @Test
    void remove_onlyTheGivenValue() {
        FlowTable<String> table = new FlowTable<>();
        table.put(1L, 2, "a");
        assertFalse(table.remove(1L, 2, "b"));
        assertTrue(table.remove(1L, 2, "a"));
        assertNull(table.get(1L, 2));
    }
}
