package io.tapvsock.service.dns.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ZonesTest {

    private static Ipv4Address ip(String text) {
        return Ipv4Address.parse(text);
    }

    private static Resolution address(String text) {
        return new Resolution.Address(ip(text));
    }

    private final Zones zones = new Zones(DefaultZones.of(NetworkSettings.defaults()));

    @Test
    void defaultZones_answerGatewayAndHost() {
        assertEquals(address("192.168.127.1"), zones.resolve("gateway.containers.internal."));
        assertEquals(address("192.168.127.254"), zones.resolve("host.containers.internal."));
        assertEquals(address("192.168.127.1"), zones.resolve("gateway.docker.internal."));
        assertEquals(address("192.168.127.254"), zones.resolve("HOST.Docker.Internal."), "case-insensitive");
    }

    @Test
    void unknownNameInAZoneWithoutDefault_isNxdomain() {
        assertEquals(Resolution.NO_SUCH_NAME, zones.resolve("nope.containers.internal."));
    }

    @Test
    void namesOutsideEveryZone_areNotLocal() {
        assertEquals(Resolution.NOT_LOCAL, zones.resolve("www.example.com."));
        assertEquals(Resolution.NOT_LOCAL, zones.resolve("containers.internal."), "the apex itself, as gvproxy");
        assertEquals(Resolution.NOT_LOCAL, zones.resolve("xcontainers.internal."));
    }

    @Test
    void defaultIp_answersWhatNoRecordMatches() {
        zones.add(new Zone("dynamic.internal.", List.of(), ip("10.0.0.9")));
        assertEquals(address("10.0.0.9"), zones.resolve("anything.dynamic.internal."));
    }

    @Test
    void regexp_matchesTheNameWithoutTheZone() {
        zones.add(new Zone("apps.internal", List.of(new ZoneRecord("", ip("10.0.0.5"), Pattern.compile("^web-\\d+$"))),
                null));
        assertEquals("apps.internal.", zones.list().getLast().name(), "a trailing dot is added");
        assertEquals(address("10.0.0.5"), zones.resolve("web-12.apps.internal."));
        assertEquals(Resolution.NO_SUCH_NAME, zones.resolve("web-x.apps.internal."));
    }

    @Test
    void recordsAreTriedInOrder_andZonesToo() {
        zones.add(new Zone("a.internal.", List.of(ZoneRecord.named("x", ip("10.0.0.1")),
                new ZoneRecord("", ip("10.0.0.2"), Pattern.compile(".*"))), null));
        zones.add(new Zone("b.a.internal.", List.of(ZoneRecord.named("y", ip("10.0.0.3"))), null));
        assertEquals(address("10.0.0.1"), zones.resolve("x.a.internal."));
        assertEquals(address("10.0.0.2"), zones.resolve("z.a.internal."));
        // a.internal. comes first and its regexp takes y.b: the later, narrower zone is never asked (as gvproxy).
        assertEquals(address("10.0.0.2"), zones.resolve("y.b.a.internal."));
    }

    @Test
    void add_toAnExistingZone_putsTheNewestFirst_andReplacesDefaultIp() {
        zones.add(new Zone("dynamic.internal.", List.of(ZoneRecord.named("test", ip("192.168.127.254"))),
                ip("10.1.1.1")));
        assertEquals(address("192.168.127.254"), zones.resolve("test.dynamic.internal."));
        zones.add(new Zone("dynamic.internal.", List.of(ZoneRecord.named("test", ip("192.168.127.253"))), null));
        assertEquals(address("192.168.127.253"), zones.resolve("test.dynamic.internal."), "newest wins");
        Zone zone = zones.list().getLast();
        assertEquals(2, zone.records().size());
        assertEquals(null, zone.defaultIp(), "DefaultIP replaced, as gvproxy");
        assertEquals(3, zones.list().size(), "merged, not appended");
    }

    @Test
    void remove_takesAZoneOrTheRecordsOfAName() {
        assertEquals(1, zones.removeRecord("containers.internal", "host"));
        assertEquals(Resolution.NO_SUCH_NAME, zones.resolve("host.containers.internal."));
        assertTrue(zones.remove("docker.internal."));
        assertFalse(zones.remove("docker.internal."));
        assertEquals(Resolution.NOT_LOCAL, zones.resolve("host.docker.internal."));
    }

    @Test
    void zoneAndRecord_refuseWhatCannotMatch() {
        assertThrows(IllegalArgumentException.class, () -> new Zone("", List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new ZoneRecord("", ip("10.0.0.1"), null));
    }
}
