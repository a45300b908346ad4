package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code -listen vsock://:PORT} serves the whole HTTP API, as gvproxy does on every -listen endpoint: the vsock
 * endpoint relays requests other than POST /connect to the http bundle's private API socket, which exists while
 * a vsock endpoint needs it. AF_VSOCK itself is only bound here (testing.md: never connect to a context ID; the
 * relay over the vsock pipeline is unit-tested in transport-vsock): this checks the daemon starts with it and
 * that the socket the relay uses is private and serves the real routes.
 */
class VsockApiRelayTest {

    private static final Pattern RELAY_SOCKET =
        Pattern.compile("the API for relayed \\(vsock\\) connections listens on unix://(\\S+)");

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void listenVsock_startsThePrivateApiSocket_whichServesTheRealRoutes() throws Exception {
        int port = 20_000 + ThreadLocalRandom.current().nextInt(40_000);
        Daemon daemon = harness.daemon(Require.dist(), List.of("-listen", "vsock://:" + port));
        daemon.awaitLog("the API for relayed (vsock) connections listens on", Duration.ofSeconds(30));
        Matcher matcher = RELAY_SOCKET.matcher(daemon.log());
        assertTrue(matcher.find(), daemon.log());
        Path socket = Path.of(matcher.group(1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));

        ApiClient relayed = new ApiClient(socket);
        JsonNode stats = relayed.getJson("/stats");
        assertEquals(0, stats.path("transport-vsock").path("apiConnections").asInt(-1), stats.toString());
        assertTrue(relayed.getJson("/cam").isObject());
        assertEquals(404, relayed.get("/connect").status(), "/connect stays with the vsock transport");

        assertEquals(0, daemon.stop());
        assertFalse(Files.exists(socket.getParent()), "the private socket goes with the daemon");
    }
}
