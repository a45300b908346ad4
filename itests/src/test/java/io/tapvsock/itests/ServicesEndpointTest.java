package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's {@code -services URL}: the API as on -listen (and /tunnel, as upstream's ServicesMux), without
 * {@code POST /connect}, which is then an unknown path; its socket goes away with the daemon.
 */
class ServicesEndpointTest {

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void servicesEndpoint_servesTheApi_butNotConnect() throws Exception {
        Path socket = harness.workDir().resolve("services.sock");
        Daemon daemon = harness.daemon(Require.dist(), List.of("-services", "unix://" + socket));
        ApiClient services = new ApiClient(socket);

        ApiClient.Response stats = services.get("/stats");
        assertEquals(200, stats.status(), stats.body());
        assertTrue(stats.json().has("BytesSent"), stats.body());
        assertEquals(200, services.get("/services/forwarder/all").status());

        ApiClient.Response connect = services.request("POST", "/connect", null);
        assertEquals(404, connect.status(), connect.body());
        assertEquals("no such API path: /connect", connect.body().trim());
        // /tunnel is there (this one is refused for its target, not its path).
        ApiClient.Response tunnel = services.request("POST", "/tunnel?port=22", null);
        assertEquals(500, tunnel.status(), tunnel.body());
        assertEquals("ip is mandatory", tunnel.body().trim());

        assertEquals(0, daemon.stop());
        assertTrue(Files.notExists(socket), "the socket is removed on exit");
    }
}
