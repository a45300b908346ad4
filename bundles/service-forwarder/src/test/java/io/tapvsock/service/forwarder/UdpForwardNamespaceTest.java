package io.tapvsock.service.forwarder;

import static io.tapvsock.service.forwarder.GuestNetwork.assertResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.service.forwarder.core.ForwardApi;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * udp forwards against a real guest ({@link GuestNetwork}): the guest's kernel runs a python UDP server on
 * 192.168.127.2:5353 that answers each datagram with "PEER_IP:PEER_PORT PAYLOAD", so a reply shows the address
 * the guest saw. "spoof" makes it first send from its other port, 5354, which no flow may accept.
 */
class UdpForwardNamespaceTest {

    private static final String SERVER = """
            import socket
            server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            server.bind(('192.168.127.2', 5353))
            other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            other.bind(('192.168.127.2', 5354))
            print('listening', flush=True)
            while True:
                data, peer = server.recvfrom(65535)
                if data == b'spoof':
                    other.sendto(b'spoofed', peer)
                server.sendto(('%s:%d ' % peer).encode() + data, peer)
            """;
    private static final String REMOTE = "192.168.127.2:5353";

    private GuestNetwork guest;

    private void start(Map<String, Object> properties) throws Exception {
        guest = new GuestNetwork(properties);
        guest.startPython(SERVER);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    void twoClients_eachGetsItsOwnReplies_fromTheirOwnPortOnTheHostIp_thenUnexposeEndsThem() throws Exception {
        start(Map.of());
        int port = freeUdpPort();
        String expose = "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + REMOTE + "\",\"protocol\":\"udp\"}";
        assertResponse(200, "", guest.api("POST", ForwardApi.EXPOSE, expose));
        assertResponse(500, "proxy already running for udp on 127.0.0.1:" + port + "\n",
                guest.api("POST", ForwardApi.EXPOSE, expose));

        try (DatagramSocket a = client(port); DatagramSocket b = client(port)) {
            send(a, "a1");
            send(b, "b1");
            send(a, "a2");
            assertEquals("192.168.127.254:" + a.getLocalPort() + " a1", receive(a), "a loopback client is the host IP");
            assertEquals("192.168.127.254:" + a.getLocalPort() + " a2", receive(a));
            assertEquals("192.168.127.254:" + b.getLocalPort() + " b1", receive(b));
            assertEquals(2L, stat("udpFlows"));
            assertEquals(2L, stat("activeUdpFlows"));
            assertEquals(3L, stat("udpDatagramsToGuest"));
            assertEquals(3L, stat("udpDatagramsToHost"));

            assertResponse(200, "", guest.api("POST", ForwardApi.UNEXPOSE,
                    "{\"local\":\"127.0.0.1:" + port + "\",\"protocol\":\"udp\"}"));
            send(a, "after");
            assertThrows(PortUnreachableException.class, () -> receive(a), "the host socket is closed");
        }
        assertEquals(0L, stat("activeUdpFlows"));
        assertEquals(0, guest.stackUdpStats().get("Endpoints"), "the flows' endpoints are closed");
        assertResponse(200, "[]\n", guest.api("GET", ForwardApi.ALL, ""));
    }

    @Test
    void replyFromAnotherGuestPort_isDropped() throws Exception {
        start(Map.of());
        int port = exposeUdp();

        try (DatagramSocket client = client(port)) {
            send(client, "spoof");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " spoof", receive(client),
                    "the first datagram the client gets is the remote's");
        }
        assertEquals(1L, stat("udpDrops"));
    }

    @Test
    void sourceFromGateway_guestSeesTheGateway_andItsRepliesReachTheClient() throws Exception {
        start(Map.of(ForwarderConfig.SOURCE_FROM_GATEWAY, "true"));
        int port = exposeUdp();

        try (DatagramSocket client = client(port)) {
            send(client, "gw");
            String reply = receive(client);
            assertTrue(reply.startsWith("192.168.127.1:") && reply.endsWith(" gw"), reply);
        }
    }

    @Test
    void idleFlow_expires_andTheClientsNextDatagramOpensANewOne() throws Exception {
        start(Map.of(ForwarderConfig.UDP_FLOW_IDLE_SECONDS, "1"));
        int port = exposeUdp();

        try (DatagramSocket client = client(port)) {
            send(client, "first");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " first", receive(client));
            awaitStat("udpFlowsExpired", 1);
            assertEquals(0L, stat("activeUdpFlows"));
            assertEquals(0, guest.stackUdpStats().get("Endpoints"));

            send(client, "second");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " second", receive(client));
            assertEquals(2L, stat("udpFlows"));
        }
    }

    @Test
    void flowCap_evictsTheLeastRecentlyActive_whoseNextDatagramStillGetsThrough() throws Exception {
        start(Map.of(ForwarderConfig.UDP_MAX_FLOWS, "1"));
        int port = exposeUdp();

        try (DatagramSocket a = client(port); DatagramSocket b = client(port)) {
            send(a, "a1");
            assertEquals("192.168.127.254:" + a.getLocalPort() + " a1", receive(a));
            send(b, "b1");
            assertEquals("192.168.127.254:" + b.getLocalPort() + " b1", receive(b));
            assertEquals(1L, stat("udpFlowsEvicted"));
            send(a, "a2");
            assertEquals("192.168.127.254:" + a.getLocalPort() + " a2", receive(a));
        }
        assertEquals(2L, stat("udpFlowsEvicted"));
        assertEquals(1L, stat("activeUdpFlows"));
        assertEquals(1, guest.stackUdpStats().get("Endpoints"));
    }

    @Test
    void portInUse_andBadPort_are500WithTheReason_andOpenNothing() throws Exception {
        start(Map.of());
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = taken.getLocalPort();
            assertResponse(500, "listen udp 127.0.0.1:" + port + ": bind: address already in use\n",
                    guest.api("POST", ForwardApi.EXPOSE, "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\""
                            + REMOTE + "\",\"protocol\":\"udp\"}"));
        }
        assertResponse(500, "listen udp 127.0.0.1:70000: address 127.0.0.1:70000: invalid port \"70000\"\n",
                guest.api("POST", ForwardApi.EXPOSE,
                        "{\"local\":\"127.0.0.1:70000\",\"remote\":\"" + REMOTE + "\",\"protocol\":\"udp\"}"));
        assertResponse(500, "invalid remote addr: port 0\n", guest.api("POST", ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:1053\",\"remote\":\"192.168.127.2:0\",\"protocol\":\"udp\"}"));
        assertResponse(200, "[]\n", guest.api("GET", ForwardApi.ALL, ""));
    }

    @Test
    void staticForward_inGvproxysMapForm_andTheShellListsAndRemovesIt() throws Exception {
        int port = freeUdpPort();
        start(Map.of(ForwarderConfig.FORWARDS, "{\"udp:127.0.0.1:" + port + "\":\"" + REMOTE + "\"}"));

        try (DatagramSocket client = client(port)) {
            send(client, "static");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " static", receive(client));
        }
        ForwarderCommands shell = new ForwarderCommands(guest.forwarder);
        assertTrue(shell.forwards().startsWith("udp    127.0.0.1:" + port), shell.forwards());
        assertEquals("unexposed udp 127.0.0.1:" + port, shell.unexpose("udp", "127.0.0.1:" + port));
        assertEquals("exposed udp 127.0.0.1:" + port + " -> " + REMOTE,
                shell.expose("udp", "127.0.0.1:" + port, REMOTE));
        try (DatagramSocket client = client(port)) {
            send(client, "shell");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " shell", receive(client));
        }
    }

    @Test
    void inVmApi_guestExposesItsOwnUdpPort_withAnEmptyRemoteIp() throws Exception {
        start(Map.of());
        int port = freeUdpPort();
        TestNamespace.Result result = guest.namespace.exec("/usr/bin/python3", "-c", """
                import urllib.request
                body = b'{"local":"127.0.0.1:%d","remote":":5353","protocol":"udp"}'
                print(urllib.request.urlopen('http://192.168.127.1/services/forwarder/expose', body, 10).status)
                print(urllib.request.urlopen('http://192.168.127.1/services/forwarder/all', None, 10).read().decode())
                """.formatted(port));

        assertEquals("200\n[{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + REMOTE
                + "\",\"protocol\":\"udp\"}]\n\n", result.output());
        try (DatagramSocket client = client(port)) {
            send(client, "in-vm");
            assertEquals("192.168.127.254:" + client.getLocalPort() + " in-vm", receive(client));
        }
    }

    /** Exposes a free 127.0.0.1 port to the guest's server. */
    private int exposeUdp() throws IOException {
        int port = freeUdpPort();
        assertResponse(200, "", guest.api("POST", ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + REMOTE + "\",\"protocol\":\"udp\"}"));
        return port;
    }

    private long stat(String name) {
        return (Long) guest.forwarder.snapshot().get(name);
    }

    /** Waits (at most 30 s) for a counter the network loop updates on its own, e.g. when a flow's idle time ends. */
    private void awaitStat(String name, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (stat(name) != expected && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(expected, stat(name), name);
    }

    /** A host client connected to the forward, so a closed forward shows as port unreachable. */
    private static DatagramSocket client(int port) throws SocketException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(DatagramSocket socket, String text) throws IOException {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(data, data.length));
    }

    private static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        }
    }
}
