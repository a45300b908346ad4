package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The private API socket that vsock endpoints relay to, driven as SCR would. */
@Timeout(60)
class ApiRelayTargetComponentTest {

    @Test
    void servesTheRoutes_onAPrivateSocket_andRemovesItOnDeactivation() throws Exception {
        ApiRelayTargetComponent component = new ApiRelayTargetComponent();
        component.addRoute(request -> ApiResponse.json("{\"from\":\"" + request.remoteAddress() + "\"}"),
                Map.of("service.id", 5L, ApiRoute.PATH, "/stats"));
        component.activate();
        Path socket = component.socket();
        try {
            assertTrue(Files.exists(socket), socket.toString());
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            UnixDomainSocketAddress address = UnixDomainSocketAddress.of(socket);
            assertEquals("{\"from\":\"\"}", RawHttpClient.get(address, "/stats").body());
            assertEquals(404, RawHttpClient.get(address, "/connect").status(), "/connect is the transport's");
            component.addRoute(request -> ApiResponse.text(200, "cam"),
                    Map.of("service.id", 6L, ApiRoute.PATH, "/cam"));
            assertEquals("cam", RawHttpClient.get(address, "/cam").body(), "routes bound later are served");
        } finally {
            component.deactivate();
        }
        assertFalse(Files.exists(socket));
        assertFalse(Files.exists(socket.getParent()));
    }
}
