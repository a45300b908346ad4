package io.tapvsock.stack.osgi;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.arpRequest;
import static io.tapvsock.stack.testing.TestFrames.direct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.stack.testing.TestSink;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkComponentTest {

    private NetworkComponent component;

    @AfterEach
    void deactivate() {
        if (component != null) {
            component.deactivate();
            assertTrue(component.eventLoop().isShuttingDown());
        }
    }

    @Test
    void startsWithGvproxyDefaultsAndRunsItsOwnLoop() throws Exception {
        component = new NetworkComponent(Map.of());
        assertEquals("192.168.127.1", component.settings().gatewayIp().toString());
        assertEquals("tapvsock-network", component.eventLoop().submit(() -> Thread.currentThread().getName())
                .get(5, TimeUnit.SECONDS));
    }

    @Test
    void attachIsForTheNetworkLoopOnly() {
        component = new NetworkComponent(Map.of());
        assertThrows(IllegalStateException.class, () -> component.attach(new TestSink(), "off the loop"));
    }

    @Test
    void invalidModificationIsRefusedAndTheOldSettingsStay() {
        component = new NetworkComponent(Map.of("mtu", "4000"));
        component.modified(Map.of("mtu", "10"));
        component.stats(); // a round trip through the loop
        assertEquals(4000, component.settings().mtu());
        component.modified(Map.of("mtu", "9000", "udpMaxFlows", "12"));
        component.stats();
        assertEquals(9000, component.settings().mtu());
        component.modified(Map.of("udpMaxFlows", "zero"));
        component.stats();
        assertEquals(9000, component.settings().mtu(), "a refused limit keeps the settings too");
    }

    @Test
    void invalidInitialConfigurationFailsActivationNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NetworkComponent(Map.of("gatewayIP", "10.0.0.1")));
        assertTrue(e.getMessage().startsWith("gatewayIP: "), e.getMessage());
    }

    @Test
    void camRouteStatsAndCommandsShowTheLearnedGuest() throws Exception {
        component = new NetworkComponent(new HashMap<>());
        TestSink sink = new TestSink();
        component.eventLoop().submit(() -> {
            NetworkPort port = component.attach(sink, "unit test");
            port.receive(direct(arpRequest(GUEST_MAC, GUEST_IP, GATEWAY_IP)));
            port.endOfBurst();
        }).get(5, TimeUnit.SECONDS);
        sink.take();
        ApiResponse cam = new CamRoute(component).handle(new ApiRequest("GET", "/cam", Map.of(), new byte[0], ""));
        assertEquals("{\"5a:94:ef:e4:0c:ee\":0}", new String(cam.body(), StandardCharsets.UTF_8));
        assertEquals("application/json", cam.contentType());
        assertEquals(405, new CamRoute(component).handle(new ApiRequest("POST", "/cam", Map.of(), new byte[0], "")).status());
        assertEquals(42L, new StatsComponent(component).snapshot().get("BytesReceived"));
        StackCommands commands = new StackCommands(component);
        assertEquals("5a:94:ef:e4:0c:ee  port 0", commands.cam());
        assertTrue(commands.ports().startsWith("0 unit test: received 1 frames/42 bytes"), commands.ports());
        assertEquals("no UDP flow", commands.flows());
        assertEquals("192.168.127.2  5a:94:ef:e4:0c:ee port 0", commands.neighbours());
    }

    @Test
    void camJsonIsSortedAndCommaSeparated() {
        assertEquals("{}", CamRoute.toJson(Map.of()));
        Map<MacAddress, Integer> cam = new java.util.TreeMap<>((a, b) -> Long.compare(a.bits(), b.bits()));
        cam.put(MacAddress.parse("5a:94:ef:e4:0c:ff"), 1);
        cam.put(MacAddress.parse("5a:94:ef:e4:0c:ee"), 0);
        assertEquals("{\"5a:94:ef:e4:0c:ee\":0,\"5a:94:ef:e4:0c:ff\":1}", CamRoute.toJson(cam));
    }
}
