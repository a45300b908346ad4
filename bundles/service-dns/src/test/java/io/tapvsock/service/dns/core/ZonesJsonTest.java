package io.tapvsock.service.dns.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import java.util.List;
import org.junit.jupiter.api.Test;

class ZonesJsonTest {

    @Test
    void write_isGvproxysShape() {
        String json = ZonesJson.write(DefaultZones.of(NetworkSettings.defaults()).subList(0, 1));
        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"}]", json);
    }

    @Test
    void write_regexpOnlyWhenSet_andNameOnlyWhenNotEmpty() {
        Zone zone = ZonesJson.readZone("{\"Name\":\"z.\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"^a\"}],"
                + "\"DefaultIP\":\"10.0.0.2\"}");
        assertEquals("[{\"Name\":\"z.\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"^a\"}],"
                + "\"DefaultIP\":\"10.0.0.2\"}]", ZonesJson.write(List.of(zone)));
    }

    @Test
    void read_keysInAnyCase_unknownKeysIgnored() {
        Zone zone = ZonesJson.readZone("{\"name\":\"dynamic.internal.\",\"RECORDS\":[{\"nAmE\":\"test\","
                + "\"ip\":\"192.168.127.254\",\"extra\":1}],\"defaultip\":\"\",\"other\":true}");
        assertEquals("dynamic.internal.", zone.name());
        assertEquals(List.of(ZoneRecord.named("test", Ipv4Address.parse("192.168.127.254"))), zone.records());
        assertNull(zone.defaultIp());
    }

    @Test
    void read_zonesArray_forTheConfiguration() {
        List<Zone> zones = ZonesJson.readZones("[{\"Name\":\"a.\"},{\"Name\":\"b.\",\"Records\":null}]");
        assertEquals(2, zones.size());
        assertTrue(zones.get(1).records().isEmpty());
    }

    @Test
    void badInput_isRefusedWithAReason() {
        assertReason("bad JSON", "{\"Name\":");
        assertReason("Name is missing", "{\"Records\":[]}");
        assertReason("bad Regexp \"(\"", "{\"Name\":\"z.\",\"Records\":[{\"IP\":\"10.0.0.1\",\"Regexp\":\"(\"}]}");
        assertReason("not an IPv4 address", "{\"Name\":\"z.\",\"Records\":[{\"Name\":\"a\",\"IP\":\"::1\"}]}");
        assertReason("IP is missing", "{\"Name\":\"z.\",\"Records\":[{\"Name\":\"a\"}]}");
        assertReason("needs a Name or a Regexp", "{\"Name\":\"z.\",\"Records\":[{\"IP\":\"10.0.0.1\"}]}");
        assertReason("not a string", "{\"Name\":5}");
        assertReason("want a JSON object", "[1]");
    }

    private static void assertReason(String expected, String json) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ZonesJson.readZone(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
