package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import io.tapvsock.itests.harness.VirtualNet;
import io.tapvsock.itests.harness.VpnkitClient;
import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's {@code -listen-vpnkit} in the assembled daemon, with scripted hyperkit clients: two at once take
 * the handshake (the default UUID gets the default guest MAC) and resolve the gateway by ARP; a client with a
 * bad command is closed and counted while the others stay; stopping the daemon removes the socket file.
 */
@Timeout(180)
class VpnkitListenerTest {
    private static final String DEFAULT_UUID = "c3d68012-0208-11ea-9fd7-f2189899ab08";
    private static final String OTHER_UUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private static final byte[] GATEWAY_IP = Frames.ipv4(VirtualNet.GATEWAY_IP);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void twoHyperkitClientsHandshakeAndResolveTheGateway_aBadOneIsClosedAlone() throws Exception {
        Path socket = harness.workDir().resolve("vpnkit.sock");
        Daemon daemon = harness.daemon(Require.dist(), List.of("-mtu", "1500", "-listen-vpnkit", "unix://" + socket));
        daemon.awaitLog("vpnkit transport listening on unix://" + socket, Duration.ofSeconds(60));

        try (VpnkitClient first = VpnkitClient.connect(socket); VpnkitClient second = VpnkitClient.connect(socket)) {
            byte[] firstReply = answer(first.handshake(DEFAULT_UUID));
            byte[] secondReply = answer(second.handshake(OTHER_UUID));
            // [0] vif, MTU 1500 and the largest frame 1514 (little-endian), then the MAC.
            assertArrayEquals(HexFormat.of().parseHex("01dc05ea055a94efe40cee"), Arrays.copyOf(firstReply, 11));
            byte[] firstMac = Arrays.copyOfRange(firstReply, 5, 11);
            byte[] secondMac = Arrays.copyOfRange(secondReply, 5, 11);
            assertEquals(2, secondMac[0] & 3, "an unmapped UUID gets a locally administered unicast MAC");

            assertGatewayAnswersArp(first, firstMac, "192.168.127.2");
            assertGatewayAnswersArp(second, secondMac, "192.168.127.3");

            try (VpnkitClient bad = VpnkitClient.connect(socket)) {
                assertThrows(EOFException.class, () -> bad.handshake("not a uuid, not at all, not at all!!"));
            }
            assertGatewayAnswersArp(first, firstMac, "192.168.127.2");

            String listing = daemon.exec("tapvsock:vsock");
            assertTrue(listing.contains("vpnkit unix://" + socket), listing);
            assertTrue(listing.contains(" port "), "the attached clients have ports: " + listing);
        }

        JsonNode vsock = daemon.api().getJson("/stats").path("transport-vsock");
        assertEquals(2, vsock.path("handshakes").asInt(), vsock.toString());
        assertEquals(3, vsock.path("vpnkitClients").asInt(), vsock.toString());
        assertEquals(1, vsock.path("handshakeFailures").path("bad-uuid").asInt(), vsock.toString());
        assertTrue(vsock.path("framesIn").asInt() >= 3, vsock.toString());

        assertEquals(0, daemon.stop(), "a clean stop");
        assertFalse(Files.exists(socket), "the listener removes its socket file");
    }

    /** The 258-byte answer after the echoed hello, which must be the hello as sent. */
    private static byte[] answer(byte[] handshake) {
        assertArrayEquals(VpnkitClient.hello(), Arrays.copyOf(handshake, VpnkitClient.HELLO_LENGTH));
        return Arrays.copyOfRange(handshake, VpnkitClient.HELLO_LENGTH, handshake.length);
    }

    /** Asks for the gateway's MAC and reads frames until the reply to {@code mac} comes. */
    private static void assertGatewayAnswersArp(VpnkitClient client, byte[] mac, String ip) throws Exception {
        client.send(Frames.arpRequest(Frames.BROADCAST, mac, Frames.ipv4(ip), GATEWAY_IP));
        byte[] frame;
        do {
            frame = client.receive();
        } while (!Frames.isArpReplyTo(frame, mac));
        assertArrayEquals(Frames.GATEWAY_MAC, Arrays.copyOfRange(frame, 6, 12), "from the gateway");
    }
}
