package io.tapvsock.itests;

import static io.tapvsock.itests.harness.DnsMessage.A;
import static io.tapvsock.itests.harness.DnsMessage.AAAA;
import static io.tapvsock.itests.harness.DnsMessage.CNAME;
import static io.tapvsock.itests.harness.DnsMessage.HTTPS;
import static io.tapvsock.itests.harness.DnsMessage.MX;
import static io.tapvsock.itests.harness.DnsMessage.PTR;
import static io.tapvsock.itests.harness.DnsMessage.SOA;
import static io.tapvsock.itests.harness.DnsMessage.SRV;
import static io.tapvsock.itests.harness.DnsMessage.TXT;
import static io.tapvsock.itests.harness.GuestDns.Transport.TCP;
import static io.tapvsock.itests.harness.GuestDns.Transport.UDP;
import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.DnsMessage;
import io.tapvsock.itests.harness.DnsMessage.Record;
import io.tapvsock.itests.harness.GuestDns;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import io.tapvsock.itests.harness.UpstreamDnsServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * DNS on the gateway end to end (issue 5, compat.md §5-§6): a network namespace behind the daemon asks
 * 192.168.127.1:53 over UDP and TCP with its real Linux stack. Local zones (the defaults, and zones added through
 * POST /services/dns/add), forwarding of every record type to an upstream DNS server this test runs on
 * 127.0.0.1, UDP truncation with TC and the complete answer over TCP, SERVFAIL when the upstream is gone, and
 * FORMERR to a query that lies about its counts, after which good queries still work.
 */
class DnsTest {
    private static final String ZONE_JSON = "{\"Name\":\"dynamic.internal.\",\"Records\":[{\"Name\":\"test\","
        + "\"IP\":\"%s\"}]}";

    @RegisterExtension
    final Harness harness = new Harness();

    private final AtomicInteger ids = new AtomicInteger(0x1200);
    private Path home;

    @BeforeEach
    void prerequisites() {
        Require.root();
        Require.executable("busybox");
        Require.executable("python3");
        home = Require.dist();
    }

    @Test
    void localZonesOverUdpAndTcp_zonesAddedThroughTheApi_andQueriesThatLieAboutTheirCounts() {
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        GuestDns dns = GuestDns.of(guest, harness.workDir(), GATEWAY_IP);

        for (GuestDns.Transport transport : List.of(UDP, TCP)) {
            assertLocalAnswer(dns, transport, "gateway.containers.internal", GATEWAY_IP);
            assertLocalAnswer(dns, transport, "host.containers.internal", HOST_IP);
            assertLocalAnswer(dns, transport, "HOST.Docker.Internal", HOST_IP);
            DnsMessage missing = dns.ask(transport, query("nothing.containers.internal", A));
            assertEquals(DnsMessage.NXDOMAIN, missing.rcode(), missing.toString());
        }
        // The resolver real guests use.
        Proc.Result nslookup = guest.sh(Duration.ofSeconds(30),
            "busybox nslookup host.containers.internal " + GATEWAY_IP);
        assertTrue(nslookup.stdout().contains("Address: " + HOST_IP), nslookup.describe());

        // gvproxy's acceptance test: a new zone resolves, and a record added again later wins.
        assertEquals(200, daemon.api().request("POST", "/services/dns/add",
            ZONE_JSON.formatted(HOST_IP)).status());
        assertLocalAnswer(dns, UDP, "test.dynamic.internal", HOST_IP);
        assertEquals(200, daemon.api().request("POST", "/services/dns/add",
            ZONE_JSON.formatted("192.168.127.253")).status());
        assertLocalAnswer(dns, UDP, "test.dynamic.internal", "192.168.127.253");
        assertLocalAnswer(dns, TCP, "test.dynamic.internal", "192.168.127.253");
        JsonNode dynamic = zone(daemon.api().getJson("/services/dns/all"), "dynamic.internal.");
        assertEquals("test", dynamic.path("Records").path(0).path("Name").asText(), dynamic.toString());
        assertEquals("192.168.127.253", dynamic.path("Records").path(0).path("IP").asText(), dynamic.toString());
        assertEquals("192.168.127.254", dynamic.path("Records").path(1).path("IP").asText(), dynamic.toString());

        // Queries that lie about their counts: FORMERR with their ID, over UDP and TCP alike.
        byte[] good = query("gateway.containers.internal", A).encode();
        byte[] moreAnswersThanSent = good.clone();
        moreAnswersThanSent[7] = 3; // ANCOUNT 3, no records follow
        byte[] threeQuestions = good.clone();
        threeQuestions[5] = 3; // QDCOUNT 3, one question follows
        byte[] questionCut = Arrays.copyOf(good, 16); // QDCOUNT 1, the name cut short
        for (GuestDns.Transport transport : List.of(UDP, TCP)) {
            for (byte[] lie : List.of(moreAnswersThanSent, threeQuestions, questionCut)) {
                assertFormatError(dns, transport, lie);
            }
            // Good queries right after are answered as before.
            assertLocalAnswer(dns, transport, "gateway.containers.internal", GATEWAY_IP);
        }
        // A message shorter than a header has no ID to answer to: dropped, and the next query still works.
        assertTrue(dns.send(UDP, new byte[] {0x12, 0x34, 0x01}).isEmpty(), "a 3-byte message is dropped");
        assertLocalAnswer(dns, UDP, "host.containers.internal", HOST_IP);

        JsonNode malformed = daemon.api().getJson("/stats").path("service-dns").path("malformed");
        assertEquals(2, malformed.path("question_count").asLong(), malformed.toString());
        assertEquals(1, malformed.path("too_short").asLong(), malformed.toString());
        assertEquals(4, malformed.path("counts_exceed_message").asLong() + malformed.path("bad_name").asLong(),
            malformed.toString());
    }

    @Test
    void everyTypeIsForwardedToTheUpstream_bigAnswersTruncateOverUdp_andAStoppedUpstreamGivesServfail()
        throws Exception {
        List<Record> records = upstreamRecords();
        UpstreamDnsServer upstream = harness.register(new UpstreamDnsServer(records));
        harness.diagnostic("upstream DNS server asked", () -> String.join("\n", upstream.asked()));
        Path dist = harness.distCopy();
        CfgFile.write(dist.resolve("config/io.tapvsock.service.dns.cfg"), Map.of(
            "upstreams", "127.0.0.1:" + upstream.port()));
        Daemon daemon = harness.daemon(dist, List.of("-mtu", "1500"));
        // Until the file's upstream is in force, a forwarded query would go to the host's resolvers.
        daemon.awaitLog("DNS upstreams: 127.0.0.1:" + upstream.port(), Duration.ofSeconds(60));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        GuestDns dns = GuestDns.of(guest, harness.workDir(), GATEWAY_IP);

        // Each type comes back exactly as the upstream wrote it (gvproxy relays only a few types).
        for (int type : List.of(A, AAAA, MX, TXT, SRV, PTR, SOA, CNAME, HTTPS)) {
            String name = nameWith(records, type);
            DnsMessage query = query(name, type);
            DnsMessage answer = dns.ask(UDP, query);
            assertEquals(DnsMessage.NOERROR, answer.rcode(), answer.toString());
            assertFalse(answer.isTruncated(), answer.toString());
            assertEquals(query.questions(), answer.questions());
            assertEquals(upstream.answer(query).answers(), answer.answers(), "type " + type + " of " + name);
            assertFalse(answer.answers().isEmpty());
        }
        DnsMessage nxdomain = dns.ask(UDP, query("missing.example.test", A));
        assertEquals(DnsMessage.NXDOMAIN, nxdomain.rcode(), nxdomain.toString());
        DnsMessage nodata = dns.ask(TCP, query("www.example.test", MX));
        assertEquals(DnsMessage.NOERROR, nodata.rcode(), nodata.toString());
        assertTrue(nodata.answers().isEmpty(), nodata.toString());

        // More than 512 bytes: TC and no records over UDP, every record over TCP.
        DnsMessage bigQuery = query("big.example.test", TXT);
        List<Record> bigRecords = upstream.answer(bigQuery).answers();
        int bigSize = upstream.answer(bigQuery).encode().length;
        assertTrue(bigSize > 512 && bigSize < 1232, "the big answer is " + bigSize + " bytes");
        DnsMessage truncated = dns.ask(UDP, bigQuery);
        assertTrue(truncated.isTruncated(), truncated.toString());
        assertEquals(DnsMessage.NOERROR, truncated.rcode(), truncated.toString());
        assertEquals(bigQuery.questions(), truncated.questions());
        assertTrue(truncated.answers().isEmpty(), truncated.toString());
        DnsMessage whole = dns.ask(TCP, query("big.example.test", TXT));
        assertFalse(whole.isTruncated(), whole.toString());
        assertEquals(bigRecords, whole.answers());
        assertTrue(upstream.asked().contains("tcp big.example.test. " + TXT),
            "the daemon took the upstream's TC as a cue to ask over TCP: " + upstream.asked());
        // A guest that announces a bigger UDP size (EDNS0) gets it all over UDP.
        DnsMessage withEdns = dns.ask(UDP, DnsMessage.query(ids.incrementAndGet(), "big.example.test", TXT, 1232));
        assertFalse(withEdns.isTruncated(), withEdns.toString());
        assertEquals(bigRecords, withEdns.answers());

        // The upstream goes away: an answer still comes, SERVFAIL, over UDP and TCP.
        upstream.close();
        for (GuestDns.Transport transport : List.of(UDP, TCP)) {
            DnsMessage failed = dns.ask(transport, query("www.example.test", A));
            assertEquals(DnsMessage.SERVFAIL, failed.rcode(), failed.toString());
            assertTrue(failed.answers().isEmpty(), failed.toString());
        }
        // Local names never needed the upstream.
        assertLocalAnswer(dns, UDP, "gateway.containers.internal", GATEWAY_IP);
        JsonNode stats = daemon.api().getJson("/stats").path("service-dns");
        assertEquals(2, stats.path("servfail").asLong(), stats.toString());
        assertTrue(stats.path("truncated").asLong() >= 1, stats.toString());
    }

    /** What the test's upstream serves: one name per type, a TXT over 255 bytes, and a 900-byte answer. */
    private static List<Record> upstreamRecords() {
        List<Record> records = new ArrayList<>(List.of(
            Record.in("www.example.test", A, 300, DnsMessage.a("192.0.2.10")),
            Record.in("www.example.test", A, 300, DnsMessage.a("192.0.2.11")),
            Record.in("v6.example.test", AAAA, 300, DnsMessage.aaaa("2001:db8::53")),
            Record.in("example.test", MX, 3600, DnsMessage.mx(10, "mail.example.test")),
            Record.in("example.test", MX, 3600, DnsMessage.mx(20, "backup-mail.example.test")),
            Record.in("long.example.test", TXT, 60, DnsMessage.txt("a".repeat(255), "b".repeat(120))),
            Record.in("_sip._tcp.example.test", SRV, 120, DnsMessage.srv(10, 60, 5060, "sip.example.test")),
            Record.in("10.2.0.192.in-addr.arpa", PTR, 86400, DnsMessage.domain("www.example.test")),
            Record.in("zone.example.test", SOA, 900, DnsMessage.soa("ns1.example.test", "hostmaster.example.test",
                2026010101L, 7200, 900, 1209600, 300)),
            Record.in("alias.example.test", CNAME, 300, DnsMessage.domain("www.example.test")),
            Record.in("svc.example.test", HTTPS, 300, new byte[] {0, 1, 0})));
        for (int i = 0; i < 4; i++) {
            records.add(Record.in("big.example.test", TXT, 60,
                DnsMessage.txt(("record-" + i + "-").repeat(25).substring(0, 200))));
        }
        return records;
    }

    private static String nameWith(List<Record> records, int type) {
        return records.stream().filter(r -> r.type() == type).findFirst().orElseThrow().name();
    }

    private DnsMessage query(String name, int type) {
        return DnsMessage.query(ids.incrementAndGet(), name, type, -1);
    }

    /** One authoritative A record with {@code address}, owned by the asked name. */
    private void assertLocalAnswer(GuestDns dns, GuestDns.Transport transport, String name, String address) {
        DnsMessage query = query(name, A);
        DnsMessage answer = dns.ask(transport, query);
        String context = name + " over " + transport + ": " + answer;
        assertEquals(DnsMessage.NOERROR, answer.rcode(), context);
        assertTrue(answer.isAuthoritative(), context);
        assertEquals(query.questions(), answer.questions(), context);
        assertEquals(1, answer.answers().size(), context);
        Record record = answer.answers().get(0);
        assertEquals(Record.in(name, A, record.ttl(), DnsMessage.a(address)), record, context);
    }

    private static void assertFormatError(GuestDns dns, GuestDns.Transport transport, byte[] lie) {
        Optional<byte[]> reply = dns.send(transport, lie);
        assertTrue(reply.isPresent(), "no reply over " + transport + " to a query that lies about its counts");
        DnsMessage formerr = DnsMessage.parse(reply.get());
        assertEquals(DnsMessage.FORMERR, formerr.rcode(), formerr.toString());
        assertTrue(formerr.isResponse(), formerr.toString());
        assertEquals((lie[0] & 0xFF) << 8 | lie[1] & 0xFF, formerr.id(), formerr.toString());
    }

    private static JsonNode zone(JsonNode all, String name) {
        for (JsonNode zone : all) {
            if (zone.path("Name").asText().equals(name)) {
                return zone;
            }
        }
        throw new AssertionError("no zone " + name + " in " + all);
    }
}
