package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GET /stats and GET /cam with a namespace guest (compat.md §4): the counters of every layer move with ping,
 * TCP and UDP traffic, and the CAM table names the guest's MAC on its port.
 */
class StatsTest {

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
    void countersMoveWithPingTcpAndUdp_camListsTheGuest() {
        Daemon daemon = harness.daemon(home, List.of());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        JsonNode before = daemon.api().getJson("/stats");

        guest.ping(GATEWAY_IP, 3).requireSuccess();
        HostServers servers = harness.hostServers();
        NamespaceGuestTest.assertTcpEcho(guest, servers.tcpEcho());
        NamespaceGuestTest.assertUdpEcho(guest, servers.udpEcho());
        // A connection left open (socat only reads it), so the flow table has one to show; killed with the namespace.
        guest.ns().start("held-tcp", List.of("socat", "-u", "TCP:" + HOST_IP + ":" + servers.tcpEcho(), "STDOUT"));
        JsonNode after = awaitEstablished(daemon);

        // gvproxy's top-level byte counters.
        assertMoved(before, after, "BytesSent");
        assertMoved(before, after, "BytesReceived");
        // Switch: the guest's port, and the DHCP broadcasts flooded earlier.
        JsonNode ports = after.path("Switch").path("Ports");
        assertEquals(1, ports.size(), ports.toString());
        String portId = ports.fieldNames().next();
        assertMoved(before.path("Switch").path("Ports").path(portId), ports.path(portId), "FramesReceived");
        assertMoved(before.path("Switch").path("Ports").path(portId), ports.path(portId), "FramesSent");
        assertTrue(after.path("Switch").path("FloodedFrames").asLong() > 0, after.path("Switch").toString());
        assertTrue(after.path("Switch").has("UnknownUnicastDropped"), after.path("Switch").toString());
        // Each protocol.
        assertTrue(after.path("ARP").path("RequestsReceived").asLong() > 0, after.path("ARP").toString());
        assertMoved(before.path("IP"), after.path("IP"), "PacketsReceived");
        assertMoved(before.path("IP"), after.path("IP"), "PacketsSent");
        assertEquals(before.path("ICMP").path("V4").path("PacketsReceived").path("EchoRequest").asLong() + 3,
            after.path("ICMP").path("V4").path("PacketsReceived").path("EchoRequest").asLong(),
            after.path("ICMP").toString());
        assertEquals(before.path("ICMP").path("V4").path("PacketsSent").path("EchoReply").asLong() + 3,
            after.path("ICMP").path("V4").path("PacketsSent").path("EchoReply").asLong(), after.path("ICMP").toString());
        assertMoved(before.path("TCP"), after.path("TCP"), "SegmentsReceived");
        assertMoved(before.path("TCP"), after.path("TCP"), "PassiveConnectionOpenings");
        assertMoved(before.path("UDP"), after.path("UDP"), "PacketsSentToHost");
        assertMoved(before.path("UDP"), after.path("UDP"), "FlowsOpened");
        // Flows: the open TCP connection by state, the UDP flow still inside its idle timeout.
        JsonNode flows = after.path("Flows");
        assertTrue(flows.path("TCP").path("ESTABLISHED").asLong() >= 1, flows.toString());
        assertTrue(flows.path("UDP").asLong() >= 1, flows.toString());
        assertTrue(after.path("TCP").path("CurrentEstablished").asLong() >= 1, after.path("TCP").toString());
        assertTrue(after.has("Drops"), after.toString());
        // Leases: the DHCP exchange and the static lease it used.
        assertTrue(after.path("DHCP").path("ack").asLong() >= 1, after.path("DHCP").toString());
        assertEquals(1, after.path("DHCP").path("leases").path("static").asLong(), after.path("DHCP").toString());

        JsonNode cam = daemon.api().getJson("/cam");
        assertEquals(1, cam.size(), cam.toString());
        assertEquals(Integer.parseInt(portId), cam.path(QemuGuest.GUEST_MAC).asInt(-1), cam.toString());
    }

    /** Polls /stats until the guest's open connection shows as ESTABLISHED (the guest runs it in the background). */
    private static JsonNode awaitEstablished(Daemon daemon) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            JsonNode stats = daemon.api().getJson("/stats");
            if (stats.path("Flows").path("TCP").path("ESTABLISHED").asLong() >= 1) {
                return stats;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no ESTABLISHED connection in /stats: " + stats.path("Flows"));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    private static void assertMoved(JsonNode before, JsonNode after, String counter) {
        assertTrue(after.path(counter).isNumber(), counter + " missing: " + after);
        assertTrue(after.path(counter).asLong() > before.path(counter).asLong(),
            counter + " did not move: before " + before.path(counter) + ", after " + after.path(counter));
    }
}
