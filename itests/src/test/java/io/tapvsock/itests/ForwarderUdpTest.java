package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.DnsMessage;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * udp port forwarding with the whole daemon: upstream's acceptance check (compat.md section 6: expose udp
 * :1053 to the guest's port 53, and a host DNS query to it reaches the guest's DNS server). The namespace guest
 * behind the qemu transport runs a small DNS server on port 53: A queries get 10.7.7.7, TXT queries get the
 * address the server saw the query come from. The forwarder's configuration file sets a 2 s flow idle time and
 * a static forward in gvproxy's {@code udp:} map form.
 */
class ForwarderUdpTest {

    private static final String DNS_SERVER = """
            nohup python3 -c '
            import socket, struct
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 53))
            while True:
                q, peer = s.recvfrom(4096)
                end = 12
                while q[end] != 0:
                    end += q[end] + 1
                qtype = struct.unpack(">H", q[end + 1:end + 3])[0]
                if qtype == 16:
                    text = ("%s:%d" % peer).encode()
                    rdata = bytes([len(text)]) + text
                else:
                    rdata = bytes([10, 7, 7, 7])
                answer = b"\\xc0\\x0c" + struct.pack(">HHIH", qtype, 1, 60, len(rdata)) + rdata
                header = q[:2] + struct.pack(">HHHHH", 0x8180, 1, 1, 0, 0)
                s.sendto(header + q[12:end + 5] + answer, peer)
            ' >/dev/null 2>&1 &
            sleep 1
            """;

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void dnsQueryThroughAUdpForward_twoClients_busyPort_staticForward_idleExpiry_unexpose() throws Exception {
        Path home = harness.distCopy();
        int staticPort = freeUdpPort();
        CfgFile.write(home.resolve("config/io.tapvsock.service.forwarder.cfg"), Map.of(
                "udpFlowIdleSeconds", "2",
                "forwards", "{\"udp:127.0.0.1:" + staticPort + "\":\"" + GUEST_IP + ":53\"}"));
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        Proc.Result server = guest.sh(Duration.ofSeconds(10), DNS_SERVER);
        assertEquals(0, server.exit(), server.describe());
        ApiClient api = daemon.api();

        int port = freeUdpPort();
        String expose = "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + GUEST_IP + ":53\",\"protocol\":\"udp\"}";
        ApiClient.Response exposed = api.request("POST", "/services/forwarder/expose", expose);
        assertEquals(200, exposed.status(), exposed.body());
        ApiClient.Response again = api.request("POST", "/services/forwarder/expose", expose);
        assertEquals(500, again.status());
        assertEquals("proxy already running for udp on 127.0.0.1:" + port, again.body().trim());

        try (DatagramSocket client = client(port)) {
            DnsMessage answer = ask(client, DnsMessage.query(0x1234, "anything.example.", DnsMessage.A, -1));
            assertEquals(0x1234, answer.id());
            assertEquals("0a070707", answer.answers().getFirst().rdataHex(), "the guest's DNS server answered");
        }

        try (DatagramSocket a = client(port); DatagramSocket b = client(port)) {
            send(a, DnsMessage.query(1, "a.example.", DnsMessage.TXT, -1));
            send(b, DnsMessage.query(2, "b.example.", DnsMessage.TXT, -1));
            assertEquals(HOST_IP + ":" + a.getLocalPort() + " 1", seenAs(receive(a)), "a loopback client is the host IP");
            assertEquals(HOST_IP + ":" + b.getLocalPort() + " 2", seenAs(receive(b)));
        }

        try (DatagramSocket staticClient = client(staticPort)) {
            assertEquals(HOST_IP + ":" + staticClient.getLocalPort() + " 3",
                    seenAs(ask(staticClient, DnsMessage.query(3, "c.example.", DnsMessage.TXT, -1))),
                    "the configured forward");
        }

        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            ApiClient.Response busy = api.request("POST", "/services/forwarder/expose", "{\"local\":\"127.0.0.1:"
                    + taken.getLocalPort() + "\",\"remote\":\"" + GUEST_IP + ":53\",\"protocol\":\"udp\"}");
            assertEquals(500, busy.status());
            assertEquals("listen udp 127.0.0.1:" + taken.getLocalPort() + ": bind: address already in use",
                    busy.body().trim());
        }

        String all = api.get("/services/forwarder/all").body().trim();
        List<String> locals = List.of("127.0.0.1:" + port, "127.0.0.1:" + staticPort).stream().sorted().toList();
        assertEquals("[{\"local\":\"" + locals.get(0) + "\",\"remote\":\"" + GUEST_IP + ":53\",\"protocol\":\"udp\"},"
                + "{\"local\":\"" + locals.get(1) + "\",\"remote\":\"" + GUEST_IP + ":53\",\"protocol\":\"udp\"}]", all);
        assertTrue(daemon.exec("tapvsock:forwards").contains("udp    127.0.0.1:" + staticPort),
                "the shell lists the configured udp forward");

        // Four flows so far, each idle for 2 s: they all end, and a client's next query opens a new one.
        JsonNode stats = awaitExpired(api, 4);
        assertEquals(4, stats.path("udpFlows").asInt(), stats.toString());
        assertEquals(0, stats.path("activeUdpFlows").asInt(), stats.toString());
        assertEquals(0, stats.path("udpDrops").asInt(), stats.toString());

        try (DatagramSocket client = client(port)) {
            assertEquals(HOST_IP + ":" + client.getLocalPort() + " 5",
                    seenAs(ask(client, DnsMessage.query(5, "d.example.", DnsMessage.TXT, -1))));

            ApiClient.Response unexposed = api.request("POST", "/services/forwarder/unexpose",
                    "{\"local\":\"127.0.0.1:" + port + "\",\"protocol\":\"udp\"}");
            assertEquals(200, unexposed.status(), unexposed.body());
            send(client, DnsMessage.query(6, "e.example.", DnsMessage.A, -1));
            assertThrows(PortUnreachableException.class, () -> receive(client), "nothing listens after unexpose");
        }
    }

    /** Waits (at most 60 s) for the forwarder's count of expired udp flows; its stats then. */
    private static JsonNode awaitExpired(ApiClient api, int expired) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode stats = api.getJson("/stats").path("service-forwarder");
        while (stats.path("udpFlowsExpired").asInt() < expired && System.nanoTime() < deadline) {
            Thread.sleep(200);
            stats = api.getJson("/stats").path("service-forwarder");
        }
        assertEquals(expired, stats.path("udpFlowsExpired").asInt(), stats.toString());
        return stats;
    }

    /** A TXT answer as "TEXT ID": the address the guest's server saw, and the query it answers. */
    private static String seenAs(DnsMessage answer) {
        byte[] rdata = answer.answers().getFirst().rdata();
        return new String(rdata, 1, rdata[0], StandardCharsets.US_ASCII) + " " + answer.id();
    }

    /** A host client connected to the forward, so a closed forward shows as port unreachable. */
    private static DatagramSocket client(int port) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout(15_000);
        return socket;
    }

    private static DnsMessage ask(DatagramSocket socket, DnsMessage query) throws IOException {
        send(socket, query);
        return receive(socket);
    }

    private static void send(DatagramSocket socket, DnsMessage query) throws IOException {
        byte[] data = query.encode();
        socket.send(new DatagramPacket(data, data.length));
    }

    private static DnsMessage receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
        socket.receive(packet);
        byte[] message = new byte[packet.getLength()];
        System.arraycopy(packet.getData(), 0, message, 0, message.length);
        return DnsMessage.parse(message);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        }
    }
}
