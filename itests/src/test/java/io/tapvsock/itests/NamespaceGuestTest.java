package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_MAC;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static io.tapvsock.itests.harness.VirtualNet.NETMASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A network namespace with the guest forwarder as the guest (issue 2, case a): the real Linux stack takes a
 * DHCP lease, pings the gateway, and reaches servers on the host's 127.0.0.1 through the NAT address.
 */
class NamespaceGuestTest {
    private static final long BULK_BYTES = 100L * 1024 * 1024;

    @RegisterExtension
    final Harness harness = new Harness();

    private Path home;

    @BeforeEach
    void prerequisites() {
        Require.root();
        Require.executable("busybox");
        Require.executable("socat");
        home = Require.dist();
    }

    @Test
    void mtu1500LeasePingEchoAndHundredMebibytesEachWay() throws Exception {
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);

        assertEquals(new Lease(GUEST_IP, NETMASK, GATEWAY_IP, GATEWAY_IP, "1500"), guest.dhcp());
        String route = guest.sh(Duration.ofSeconds(10), "ip route show default").requireSuccess().stdout();
        assertTrue(route.contains("default via " + GATEWAY_IP), route);
        guest.ping(GATEWAY_IP, 2).requireSuccess();

        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals(QemuGuest.GUEST_MAC, leases.path(GUEST_IP).asText(), leases.toString());
        assertEquals(GATEWAY_MAC, leases.path(GATEWAY_IP).asText(), leases.toString());

        HostServers servers = harness.hostServers();
        assertTcpEcho(guest, servers.tcpEcho());
        assertUdpEcho(guest, servers.udpEcho());

        // Guest -> host: a file of random bytes through a host sink that hashes what arrives.
        BlockingQueue<HostServers.Received> received = HostServers.queue();
        int sink = servers.sink(received);
        Path upload = harness.workDir().resolve("upload.bin");
        String uploadSha = writeRandomFile(upload, BULK_BYTES, 7);
        guest.sh(Duration.ofSeconds(240), "socat -u OPEN:" + upload + " TCP:" + HOST_IP + ":" + sink)
            .requireSuccess();
        HostServers.Received got = received.poll(60, TimeUnit.SECONDS);
        assertNotNull(got, "the host sink saw no end of stream");
        assertEquals(new HostServers.Received(BULK_BYTES, uploadSha), got, "guest -> host bytes and sha256");
        Files.delete(upload);

        // Host -> guest: a host source sends seeded random bytes; the guest hashes what it reads.
        HostServers.Source source = servers.source(BULK_BYTES, 11);
        String downloadSha = guest.sh(Duration.ofSeconds(240),
            "socat -u TCP:" + HOST_IP + ":" + source.port() + " STDOUT | sha256sum").requireSuccess().stdout();
        assertEquals(source.sha256(), downloadSha.split("\\s+")[0], "host -> guest sha256");

        JsonNode stats = daemon.api().getJson("/stats");
        assertTrue(stats.path("BytesSent").asLong() > 0, stats.toString());
        assertTrue(stats.path("BytesReceived").asLong() > 0, stats.toString());
    }

    @Test
    void mtu4000IsLeasedAndCarriesLargeFrames() throws Exception {
        Daemon daemon = harness.daemon(home, List.of("-mtu", "4000"));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 4000);

        assertEquals(new Lease(GUEST_IP, NETMASK, GATEWAY_IP, GATEWAY_IP, "4000"), guest.dhcp());
        String link = guest.sh(Duration.ofSeconds(10), "ip -o link show " + NsGuest.IFACE).requireSuccess()
            .stdout();
        assertTrue(link.contains("mtu 4000"), link);
        // An echo request that only fits in one frame at this MTU (3500 + 8 + 20 bytes), not fragmented.
        guest.sh(Duration.ofSeconds(30), "busybox ping -c2 -W5 -s 3500 " + GATEWAY_IP).requireSuccess();

        HostServers servers = harness.hostServers();
        assertTcpEcho(guest, servers.tcpEcho());
        BlockingQueue<HostServers.Received> received = HostServers.queue();
        int sink = servers.sink(received);
        Path upload = harness.workDir().resolve("upload.bin");
        long bytes = 16L * 1024 * 1024;
        String sha = writeRandomFile(upload, bytes, 3);
        guest.sh(Duration.ofSeconds(120), "socat -u OPEN:" + upload + " TCP:" + HOST_IP + ":" + sink)
            .requireSuccess();
        assertEquals(new HostServers.Received(bytes, sha), received.poll(60, TimeUnit.SECONDS));
    }

    static void assertTcpEcho(NsGuest guest, int port) {
        Proc.Result echo = guest.sh(Duration.ofSeconds(30),
            "echo hello-over-tcp | busybox nc " + HOST_IP + " " + port);
        assertEquals("hello-over-tcp", echo.requireSuccess().stdout().strip(), echo.describe());
    }

    static void assertUdpEcho(NsGuest guest, int port) {
        Proc.Result echo = guest.sh(Duration.ofSeconds(30),
            "echo hello-over-udp | socat -t 3 - UDP:" + HOST_IP + ":" + port);
        assertEquals("hello-over-udp", echo.requireSuccess().stdout().strip(), echo.describe());
    }

    /** Writes {@code bytes} seeded random bytes to {@code file}; returns their sha256. */
    static String writeRandomFile(Path file, long bytes, long seed) throws IOException {
        MessageDigest digest = HostServers.sha256();
        try (OutputStream out = Files.newOutputStream(file)) {
            HostServers.writeRandom(out, bytes, seed, digest);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
