package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code -listen vsock://:PORT}: the daemon binds an AF_VSOCK endpoint for POST /connect and is ready with it
 * (only create/bind/listen here: testing.md forbids connecting to a context ID; the /connect handling of such a
 * connection is unit-tested in transport-vsock, and /connect itself end to end over unix in ConnectEndpointTest).
 */
class VsockEndpointTest {

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void listenVsock_bindsAndIsListed() {
        int port = 20_000 + ThreadLocalRandom.current().nextInt(40_000);
        Daemon daemon = harness.daemon(Require.dist(), List.of("-listen", "vsock://:" + port));
        String shell = daemon.exec("tapvsock:vsock");
        assertTrue(shell.contains("vsock vsock://:" + port), shell);
        String configs = daemon.exec("tapvsock:configs");
        assertTrue(configs.contains("vsock vsock://:" + port), configs);
        assertTrue(daemon.log().contains("vsock API endpoint (POST /connect) listening on vsock://:" + port),
            daemon.log());
    }
}
