package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DhcpConfigTest {

    private static final NetworkSettings SETTINGS = NetworkSettings.defaults();

    private static String refusal(Map<String, ?> properties) {
        return assertThrows(IllegalArgumentException.class, () -> DhcpConfig.fromProperties(properties).validate(SETTINGS))
                .getMessage();
    }

    @Test
    void defaults_areGvproxys() {
        DhcpConfig config = DhcpConfig.fromProperties(Map.of());
        assertEquals(3600, config.leaseSeconds());
        assertNull(config.searchList(), "not configured: the host's");
        assertEquals(Path.of("/etc/resolv.conf"), config.resolvConf());
        assertNull(config.leaseFile());
        assertEquals(List.of(new StaticLease(Ipv4Address.parse("192.168.127.2"), MacAddress.DEFAULT_DEVICE)),
                config.staticLeases(SETTINGS));
        config.validate(SETTINGS);
    }

    @Test
    void fromProperties_takesArraysListsAndText() {
        DhcpConfig config = DhcpConfig.fromProperties(Map.of("leaseSeconds", "600",
                "staticLeases", List.of("192.168.127.10=02:00:00:00:00:01"),
                "searchDomains", "a.example, b.example", "leaseFile", "/var/lib/tapvsock/leases"));
        assertEquals(600, config.leaseSeconds());
        assertEquals(List.of(StaticLease.parse("192.168.127.10=02:00:00:00:00:01")), config.staticLeases(SETTINGS));
        assertEquals(List.of("a.example", "b.example"), config.searchList().domains());
        assertEquals(Path.of("/var/lib/tapvsock/leases"), config.leaseFile());
        assertEquals(List.of(), DhcpConfig.fromProperties(Map.of("staticLeases", new String[0])).staticLeases(SETTINGS));
        assertEquals(7200, DhcpConfig.fromProperties(Map.of("leaseSeconds", 7200L)).leaseSeconds());
        assertTrue(DhcpConfig.fromProperties(Map.of("searchDomains", "")).searchList().isEmpty(),
                "configured empty: none, the host's are not read");
        assertEquals(Path.of("/tmp/r.conf"), DhcpConfig.fromProperties(Map.of("resolvConf", "/tmp/r.conf")).resolvConf());
    }

    @Test
    void refusals_nameTheField() {
        assertTrue(refusal(Map.of("leaseSeconds", "soon")).startsWith("leaseSeconds: "));
        assertTrue(refusal(Map.of("leaseSeconds", 0)).startsWith("leaseSeconds: "));
        assertTrue(refusal(Map.of("leaseSeconds", 4294967296L)).startsWith("leaseSeconds: "));
        assertTrue(refusal(Map.of("searchDomains", "a..b")).startsWith("searchDomains: "));
        assertTrue(refusal(Map.of("staticLeases", "192.168.127.10")).startsWith("staticLeases: "));
        assertTrue(refusal(Map.of("staticLeases", "192.168.127.10=zz")).startsWith("staticLeases: "));
    }

    @Test
    void staticLeases_mustFitTheNetwork() {
        for (String address : List.of("10.0.0.5", "192.168.127.0", "192.168.127.255", "192.168.127.1",
                "192.168.127.254")) {
            String message = refusal(Map.of("staticLeases", address + "=02:00:00:00:00:01"));
            assertTrue(message.startsWith("staticLeases: ") && message.contains(address), message);
        }
        assertTrue(refusal(Map.of("staticLeases", "192.168.127.10=03:00:00:00:00:01")).contains("multicast"));
        assertTrue(refusal(Map.of("staticLeases", new String[] {"192.168.127.10=02:00:00:00:00:01",
                "192.168.127.10=02:00:00:00:00:02"})).contains("share an address"));
        assertTrue(refusal(Map.of("staticLeases", new String[] {"192.168.127.10=02:00:00:00:00:01",
                "192.168.127.11=02:00:00:00:00:01"})).contains("share a MAC"));
        NetworkSettings withVirtual = NetworkSettings.fromProperties(Map.of("gatewayVirtualIPs", "192.168.127.253"));
        assertThrows(IllegalArgumentException.class, () -> DhcpConfig.fromProperties(
                Map.of("staticLeases", "192.168.127.253=02:00:00:00:00:01")).validate(withVirtual));
    }
}
