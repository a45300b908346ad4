package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The forwarder as gvforwarder runs it (issue 4): {@code -url unix:///api.sock}, POST /connect on the daemon's
 * API socket, then hyperkit framing. A network namespace behind it gets its DHCP lease, pings the gateway and
 * talks TCP to a server on the host's 127.0.0.1; /stats counts the adopted stream.
 */
class ForwarderConnectTest {

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void namespaceOverPostConnectOnTheApiSocket() {
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        NsGuest guest = NsGuest.attachUrl(harness, harness.netns(), home, "unix://" + daemon.apiSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        Proc.Result ping = guest.ping(GATEWAY_IP, 2);
        assertEquals(0, ping.exit(), ping.describe());

        HostServers servers = harness.hostServers();
        int echo = servers.tcpEcho();
        Proc.Result tcp = guest.sh(Duration.ofSeconds(30),
            "echo hello-over-connect | busybox nc " + HOST_IP + " " + echo);
        assertEquals("hello-over-connect", tcp.stdout().trim(), tcp.describe());

        JsonNode stats = daemon.api().getJson("/stats");
        assertEquals(1, stats.path("transport-vsock").path("connectedStreams").asInt(), stats.toString());
    }
}
