package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_MAC;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * -pcap: a namespace guest takes a lease, pings the gateway and opens a TCP connection to the host's 127.0.0.1
 * through the host IP; tshark reads those frames, with their addresses, from the capture while the daemon runs,
 * after SIGTERM, and after SIGKILL. The capture also starts and stops live from the shell.
 */
class CaptureTest {

    @RegisterExtension
    final Harness harness = new Harness();

    private Path home;
    private Path tshark;

    @BeforeEach
    void prerequisites() {
        Require.root();
        Require.executable("busybox");
        tshark = Require.executable("tshark");
        home = Require.dist();
    }

    @Test
    void dhcpPingAndTcpAreReadableWhileRunningAndAfterSigterm() throws Exception {
        Path pcap = harness.workDir().resolve("capture.pcap");
        Daemon daemon = harness.daemon(home, List.of("-pcap", pcap.toString()));
        int echoPort = guestTraffic(daemon);

        // While the daemon runs: everything the guest did is already in the file.
        awaitTraffic(pcap, echoPort);
        JsonNode capture = daemon.api().getJson("/stats").path("Capture");
        assertEquals(pcap.toString(), capture.path("File").asText(), capture.toString());
        assertEquals(0, capture.path("FramesDropped").asLong(), capture.toString());
        assertTrue(capture.path("FramesWritten").asLong() >= 8, capture.toString());

        assertEquals(0, daemon.stop(), "SIGTERM exit status");
        assertTrafficIn(pcap, echoPort);
    }

    @Test
    void theFileStillOpensAfterSigkill() throws Exception {
        Path pcap = harness.workDir().resolve("killed.pcap");
        Daemon daemon = harness.daemon(home, List.of("-pcap", pcap.toString()));
        int echoPort = guestTraffic(daemon);
        awaitTraffic(pcap, echoPort);

        daemon.process().destroyForcibly(); // SIGKILL: no shutdown hook, no close
        assertTrue(daemon.process().waitFor(30, TimeUnit.SECONDS), "the daemon did not die of SIGKILL");
        daemon.stop(); // already dead: only records it
        Proc.Result read = tshark("-r", pcap.toString());
        assertEquals(0, read.exit(), read.describe());
        assertTrafficIn(pcap, echoPort);
    }

    @Test
    void theShellStartsAndStopsACaptureLive() throws Exception {
        Daemon daemon = harness.daemon(home, List.of());
        assertTrue(daemon.exec("tapvsock:capture").contains("not capturing"));
        Path pcap = harness.workDir().resolve("live.pcap");
        assertTrue(daemon.exec("tapvsock:capture start " + pcap).contains("capturing to " + pcap));
        awaitStats(daemon, pcap);

        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        guest.dhcp();
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        awaitLines(pcap, "icmp.type == 0", "ip.src,ip.dst", GATEWAY_IP + "," + GUEST_IP);
        assertTrue(daemon.exec("tapvsock:capture").contains("File: " + pcap));

        assertTrue(daemon.exec("tapvsock:capture stop").contains("ended"));
        assertTrue(daemon.exec("tapvsock:capture").contains("not capturing"));
        long framesBefore = frames(pcap);
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        assertEquals(framesBefore, frames(pcap), "frames were captured after the capture stopped");
    }

    /**
     * Lease, one ping of the gateway, one TCP exchange with a host echo server via the host IP; returns the echo
     * server's port.
     */
    private int guestTraffic(Daemon daemon) {
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        guest.dhcp();
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        int port = harness.hostServers().tcpEcho();
        NamespaceGuestTest.assertTcpEcho(guest, port);
        return port;
    }

    /** Waits until the capture holds the exchange up to the gateway's SYN-ACK for the echo connection. */
    private void awaitTraffic(Path pcap, int echoPort) {
        awaitLines(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 1", "ip.src,ip.dst,tcp.srcport",
            HOST_IP + "," + GUEST_IP + "," + echoPort);
    }

    /** The DHCP exchange, the echo request and its reply, and the guest's SYN, with their addresses. */
    private void assertTrafficIn(Path pcap, int echoPort) {
        List<String> dhcp = fields(pcap, "dhcp", "eth.src,ip.src,ip.dst,dhcp.option.dhcp");
        assertTrue(dhcp.contains(QemuGuest.GUEST_MAC + ",0.0.0.0,255.255.255.255,1"), "DHCPDISCOVER: " + dhcp);
        assertTrue(dhcp.stream().anyMatch(line -> line.startsWith(GATEWAY_MAC + "," + GATEWAY_IP + ",")
            && line.endsWith(",2")), "DHCPOFFER: " + dhcp);
        assertTrue(dhcp.stream().anyMatch(line -> line.startsWith(QemuGuest.GUEST_MAC + ",") && line.endsWith(",3")),
            "DHCPREQUEST: " + dhcp);
        assertTrue(dhcp.stream().anyMatch(line -> line.startsWith(GATEWAY_MAC + "," + GATEWAY_IP + ",")
            && line.endsWith(",5")), "DHCPACK: " + dhcp);

        List<String> icmp = fields(pcap, "icmp", "eth.src,eth.dst,ip.src,ip.dst,icmp.type");
        assertTrue(icmp.contains(QemuGuest.GUEST_MAC + "," + GATEWAY_MAC + "," + GUEST_IP + "," + GATEWAY_IP + ",8"),
            "echo request: " + icmp);
        assertTrue(icmp.contains(GATEWAY_MAC + "," + QemuGuest.GUEST_MAC + "," + GATEWAY_IP + "," + GUEST_IP + ",0"),
            "echo reply: " + icmp);

        List<String> syn = fields(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "eth.src,ip.src,ip.dst,tcp.dstport");
        assertTrue(syn.contains(QemuGuest.GUEST_MAC + "," + GUEST_IP + "," + HOST_IP + "," + echoPort),
            "SYN to the host IP: " + syn);
    }

    private void awaitStats(Daemon daemon, Path pcap) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (pcap.toString().equals(daemon.api().getJson("/stats").path("Capture").path("File").asText())) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("/stats shows no capture to " + pcap + ": " + daemon.api().getJson("/stats"));
    }

    /** Waits (the writer follows the network by a batch) until a frame matching {@code filter} shows {@code line}. */
    private void awaitLines(Path pcap, String filter, String fields, String line) {
        List<String> seen = List.of();
        for (int i = 0; i < 100; i++) {
            seen = fields(pcap, filter, fields);
            if (seen.contains(line)) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("no \"" + line + "\" among " + filter + " frames of " + pcap + ": " + seen);
    }

    private long frames(Path pcap) {
        return fields(pcap, "frame", "frame.number").size();
    }

    /** {@code tshark -r PCAP -Y FILTER -T fields -e F1 -e F2 ...}, comma-separated, one line per frame. */
    private List<String> fields(Path pcap, String filter, String fields) {
        List<String> command = new ArrayList<>(List.of("-r", pcap.toString(), "-Y", filter, "-T", "fields",
            "-E", "separator=,"));
        for (String field : fields.split(",")) {
            command.add("-e");
            command.add(field);
        }
        Proc.Result result = tshark(command.toArray(String[]::new));
        assertEquals(0, result.exit(), result.describe());
        return result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }

    private Proc.Result tshark(String... args) {
        List<String> command = new ArrayList<>(List.of(tshark.toString()));
        command.addAll(List.of(args));
        return Proc.run(Duration.ofSeconds(60), command);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
