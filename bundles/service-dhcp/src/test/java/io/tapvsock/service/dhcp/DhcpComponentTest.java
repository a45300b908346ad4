package io.tapvsock.service.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.dhcp.testing.CapturingReplier;
import io.tapvsock.service.dhcp.testing.ClientMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DhcpComponentTest {

    private static final Path NO_STATE_DIR = null;

    private static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");

    /** Only settings() matters to the DHCP component. */
    private static final class FakeNetwork implements VirtualNetwork {
        volatile NetworkSettings settings = NetworkSettings.defaults();

        @Override
        public EventLoop eventLoop() {
            throw new UnsupportedOperationException();
        }

        @Override
        public NetworkPort attach(FrameSink sink, String description) {
            throw new UnsupportedOperationException();
        }

        @Override
        public NetworkSettings settings() {
            return settings;
        }
    }

    private final FakeNetwork network = new FakeNetwork();

    private static ApiRequest get(String path) {
        return new ApiRequest("GET", path, Map.of(), new byte[0], "127.0.0.1");
    }

    private static String body(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static void receive(DhcpComponent component, ClientMessage message, CapturingReplier replier) {
        ByteBuf payload = Unpooled.wrappedBuffer(message.bytes());
        try {
            component.receive(new UdpDatagram(A, Ipv4Address.ANY, 68, Ipv4Address.BROADCAST, 67, payload), replier);
        } finally {
            payload.release();
        }
    }

    @Test
    void leasesRoutes_answerGvproxysJson() {
        DhcpComponent component = new DhcpComponent(network, Map.of(), NO_STATE_DIR);
        String want = "{\"192.168.127.1\":\"5a:94:ef:e4:0c:dd\",\"192.168.127.2\":\"5a:94:ef:e4:0c:ee\"}";
        ApiResponse response = new LeasesRoute(component).handle(get("/leases"));
        assertEquals(200, response.status());
        assertEquals("application/json", response.contentType());
        assertEquals(want, body(response));
        assertEquals(want, body(new ServicesLeasesRoute(component).handle(get("/services/dhcp/leases"))));
        ApiResponse post = new LeasesRoute(component).handle(
                new ApiRequest("POST", "/leases", Map.of(), new byte[0], "127.0.0.1"));
        assertEquals(405, post.status());
    }

    @Test
    void receive_leasesAndListsInAddressOrder() {
        DhcpComponent component = new DhcpComponent(network, Map.of(), NO_STATE_DIR);
        CapturingReplier replier = new CapturingReplier();
        receive(component, ClientMessage.discover(A), replier);
        receive(component, ClientMessage.request(A).serverId("192.168.127.1").requested("192.168.127.3"), replier);
        assertEquals(2, replier.take().size());
        assertEquals("{\"192.168.127.1\":\"5a:94:ef:e4:0c:dd\",\"192.168.127.2\":\"5a:94:ef:e4:0c:ee\","
                + "\"192.168.127.3\":\"02:00:00:00:00:0a\"}", body(new LeasesRoute(component).handle(get("/leases"))));
        assertEquals(1L, component.snapshot().get("ack"));
        String shell = new LeasesCommand(component).leases();
        assertEquals(3, shell.lines().count());
        assertTrue(shell.lines().toList().get(2).startsWith("192.168.127.3    02:00:00:00:00:0a  dynamic  until "), shell);
        assertTrue(shell.lines().toList().get(0).contains("gateway"), shell);
    }

    @Test
    void invalidConfiguration_isRefusedAndThePreviousOneStays() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("staticLeases", new String[] {"192.168.127.20=" + A});
        DhcpComponent component = new DhcpComponent(network, properties, NO_STATE_DIR);
        assertTrue(body(new LeasesRoute(component).handle(get("/leases"))).contains("\"192.168.127.20\""));
        properties.put("staticLeases", new String[] {"192.168.127.1=" + A});
        component.modified(properties);
        assertTrue(body(new LeasesRoute(component).handle(get("/leases"))).contains("\"192.168.127.20\""));
        properties.put("staticLeases", new String[] {"192.168.127.21=" + A});
        component.modified(properties);
        assertTrue(body(new LeasesRoute(component).handle(get("/leases"))).contains("\"192.168.127.21\""));
    }

    @Test
    void invalidConfigurationAtActivation_fallsBackToTheDefaults() {
        DhcpComponent component = new DhcpComponent(network, Map.of("leaseSeconds", "-5"), NO_STATE_DIR);
        assertEquals(List.of("192.168.127.1", "192.168.127.2"),
                component.leases().stream().map(e -> e.address().toString()).toList());
    }

    @Test
    void stateDirectory_keepsTheLeasesAcrossARestart(@TempDir Path stateDir) throws Exception {
        DhcpComponent first = new DhcpComponent(network, Map.of("staticLeases", ""), stateDir);
        CapturingReplier replier = new CapturingReplier();
        receive(first, ClientMessage.discover(A).requested("192.168.127.77"), replier);
        receive(first, ClientMessage.request(A).serverId("192.168.127.1").requested("192.168.127.77"), replier);
        assertEquals(2, replier.take().size());
        String file = Files.readString(stateDir.resolve(DhcpComponent.LEASE_FILE_NAME));
        assertTrue(file.contains("192.168.127.77 02:00:00:00:00:0a bound"), file);

        // A new daemon with the same state directory: the client, back in INIT, is offered its address again.
        DhcpComponent second = new DhcpComponent(network, Map.of("staticLeases", ""), stateDir);
        receive(second, ClientMessage.discover(A), replier);
        assertEquals("192.168.127.77", replier.only().reply().yiaddr().toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> leases = (Map<String, Object>) second.snapshot().get("leases");
        assertEquals(Map.of("static", 0L, "dynamic", 1L), leases);
    }
}
