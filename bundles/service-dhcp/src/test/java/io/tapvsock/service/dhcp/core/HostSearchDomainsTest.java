package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dhcp.testing.CapturingReplier;
import io.tapvsock.service.dhcp.testing.ClientMessage;
import io.tapvsock.service.dhcp.testing.Configs;
import io.tapvsock.service.dhcp.testing.ManualClock;
import io.tapvsock.service.dhcp.testing.ReplyView;
import io.tapvsock.service.dhcp.wire.DomainSearchList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostSearchDomainsTest {

    @TempDir
    Path dir;

    @Test
    void parse_lastSearchOrDomainLineWins() {
        assertEquals(List.of("a.example", "b.example"), HostSearchDomains.parse(List.of(
                "nameserver 127.0.0.53", "search   a.example\tb.example  # the office", "options edns0")));
        assertEquals(List.of("corp.example"), HostSearchDomains.parse(List.of(
                "search a.example b.example", "domain corp.example")));
        assertEquals(List.of("x.example"), HostSearchDomains.parse(List.of(
                "domain corp.example", "search x.example ; trailing comment")));
        assertEquals(List.of(), HostSearchDomains.parse(List.of("nameserver 1.1.1.1", "# search commented.example",
                "search", "searchx y.example")));
    }

    @Test
    void current_readsTheFileAgainWhenItChanges() throws Exception {
        Path file = dir.resolve("resolv.conf");
        HostSearchDomains domains = new HostSearchDomains(file);
        assertTrue(domains.current().isEmpty(), "a missing file: no search list");
        Files.writeString(file, "search one.example two.example\n");
        assertEquals(List.of("one.example", "two.example"), domains.current().domains());
        Files.writeString(file, "domain three.example\n");
        // Same size class of edit could land in the same timestamp tick: make the change visible for sure.
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));
        assertEquals(List.of("three.example"), domains.current().domains());
    }

    @Test
    void current_leavesOutInvalidDomains() throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, "search good.example bad..example " + "x".repeat(70) + ".example also.example\n");
        assertEquals(List.of("good.example", "also.example"), new HostSearchDomains(file).current().domains());
    }

    @Test
    void server_sendsTheHostsSearchListWhenNoneIsConfigured() throws Exception {
        Path file = dir.resolve("resolv.conf");
        Files.writeString(file, "nameserver 10.0.0.1\nsearch eng.apple.com marketing.apple.com\n");
        NetworkSettings settings = NetworkSettings.defaults();
        DhcpServer server = new DhcpServer(Configs.searchDomainsFrom(file), () -> settings, new ManualClock());
        CapturingReplier replier = new CapturingReplier();
        ByteBuf discover = Unpooled.wrappedBuffer(ClientMessage.discover(MacAddress.parse("02:00:00:00:00:0a")).bytes());
        try {
            server.receive(discover, replier);
        } finally {
            discover.release();
        }
        ReplyView offer = replier.only().reply();
        // RFC 3397 §2 example: the second name points at the first's "apple.com".
        assertArrayEquals(DomainSearchList.of(List.of("eng.apple.com", "marketing.apple.com")).encoded(),
                offer.options().get(119));

        // Configured as empty: none at all, whatever the host has.
        server.reconfigure(DhcpConfig.fromProperties(Map.of("searchDomains", "", "resolvConf", file.toString())));
        discover = Unpooled.wrappedBuffer(ClientMessage.discover(MacAddress.parse("02:00:00:00:00:0b")).bytes());
        try {
            server.receive(discover, replier);
        } finally {
            discover.release();
        }
        assertNull(replier.only().reply().options().get(119));
    }
}
