package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dhcp.testing.CapturingReplier;
import io.tapvsock.service.dhcp.testing.ClientMessage;
import io.tapvsock.service.dhcp.testing.Configs;
import io.tapvsock.service.dhcp.testing.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseFileTest {

    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    private static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock();
    private final CapturingReplier replier = new CapturingReplier();
    private final NetworkSettings settings = NetworkSettings.defaults();

    private DhcpServer server(Path file) {
        return new DhcpServer(Configs.withoutSearchDomains(file),
                () -> settings, clock);
    }

    private static void deliver(DhcpServer server, ClientMessage message, CapturingReplier replier) {
        ByteBuf payload = Unpooled.wrappedBuffer(message.bytes());
        try {
            server.receive(payload, replier);
        } finally {
            payload.release();
        }
    }

    private Ipv4Address lease(DhcpServer server, MacAddress mac) {
        deliver(server, ClientMessage.discover(mac), replier);
        Ipv4Address offered = replier.only().reply().yiaddr();
        deliver(server, ClientMessage.request(mac).serverId("192.168.127.1").requested(offered.toString()), replier);
        assertEquals(5, replier.only().reply().messageType());
        return offered;
    }

    @Test
    void writeThenRead_roundTrip() throws Exception {
        LeaseFile file = new LeaseFile(dir.resolve("sub/leases"));
        List<Lease> leases = List.of(
                new Lease(Ipv4Address.parse("192.168.127.3"), A, Lease.State.BOUND, Instant.parse("2026-05-01T11:00:00Z")),
                new Lease(Ipv4Address.parse("192.168.127.4"), B, Lease.State.FREE, Instant.parse("2026-05-01T09:00:00Z")));
        TreeMap<Ipv4Address, Instant> declined = new TreeMap<>(
                Map.of(Ipv4Address.parse("192.168.127.9"), Instant.parse("2026-05-01T10:10:00Z")));
        file.write(leases, declined);
        LeaseFile.Contents contents = file.read();
        assertEquals(leases, contents.leases());
        assertEquals(declined, contents.declined());
        assertFalse(Files.exists(dir.resolve("sub/leases.tmp")));
        assertTrue(Files.readString(dir.resolve("sub/leases")).contains("192.168.127.3 02:00:00:00:00:0a bound 2026-05-01T11:00:00Z"));
    }

    @Test
    void read_missingFileIsEmpty_andBadLinesAreSkipped() throws Exception {
        LeaseFile file = new LeaseFile(dir.resolve("leases"));
        assertEquals(List.of(), file.read().leases());
        Files.writeString(dir.resolve("leases"), """
                # comment
                192.168.127.3 02:00:00:00:00:0a bound 2026-05-01T11:00:00Z
                garbage
                192.168.127.4 02:00:00:00:00:0b lost 2026-05-01T11:00:00Z
                192.168.127.5 zz:00:00:00:00:0b bound 2026-05-01T11:00:00Z
                """);
        assertEquals(List.of(new Lease(Ipv4Address.parse("192.168.127.3"), A, Lease.State.BOUND,
                Instant.parse("2026-05-01T11:00:00Z"))), file.read().leases());
    }

    @Test
    void leases_surviveARestart() {
        Path path = dir.resolve("leases");
        DhcpServer first = server(path);
        assertEquals(Ipv4Address.parse("192.168.127.3"), lease(first, A));
        assertEquals(Ipv4Address.parse("192.168.127.4"), lease(first, B));
        deliver(first, ClientMessage.release(B).ciaddr("192.168.127.4").serverId("192.168.127.1"), replier);
        assertTrue(Files.exists(path));

        // As after SIGKILL: nothing is closed, a new server reads the file.
        clock.advance(Duration.ofMinutes(5));
        DhcpServer second = server(path);
        assertEquals("02:00:00:00:00:0a", second.leases().stream()
                .filter(e -> e.address().toString().equals("192.168.127.3")).findFirst().orElseThrow().mac().toString());
        // The released address is remembered for its client too.
        MacAddress c = MacAddress.parse("02:00:00:00:00:0c");
        assertEquals(Ipv4Address.parse("192.168.127.5"), lease(second, c));
        assertEquals(Ipv4Address.parse("192.168.127.4"), lease(second, B));
        assertEquals(Ipv4Address.parse("192.168.127.3"), lease(second, A));
        assertFalse(Files.exists(dir.resolve("leases.tmp")));
    }

    @Test
    void reconfigure_toANewFile_mergesAndWritesIt() throws Exception {
        Path old = dir.resolve("old");
        DhcpServer first = server(old);
        lease(first, A);
        // A configuration that arrives after activation (ConfigAdmin is asynchronous) names the saved file.
        DhcpServer second = server(null);
        assertEquals(Ipv4Address.parse("192.168.127.3"), lease(second, B));
        second.reconfigure(Configs.withoutSearchDomains(old));
        // B keeps .3 (what this run knows wins); A's record lost that address, so A gets a fresh one.
        assertEquals(Ipv4Address.parse("192.168.127.4"), lease(second, A));
        String text = Files.readString(old);
        assertTrue(text.contains("192.168.127.3 02:00:00:00:00:0b bound"), text);
        assertTrue(text.contains("192.168.127.4 02:00:00:00:00:0a bound"), text);
    }

    @Test
    void unwritableFile_isCountedAndServingGoesOn() throws Exception {
        Path blocker = dir.resolve("blocker");
        Files.writeString(blocker, "a file, not a directory");
        DhcpServer server = server(blocker.resolve("leases"));
        assertEquals(Ipv4Address.parse("192.168.127.3"), lease(server, A));
        assertTrue(server.counters().get(DhcpCounters.Counter.LEASE_FILE_ERRORS) > 0);
    }
}
