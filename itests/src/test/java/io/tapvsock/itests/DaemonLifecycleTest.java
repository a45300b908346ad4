package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How consumers drive the binary (compat.md §1, §8): readiness by socket file, the pid file, the API shapes,
 * a clean SIGTERM exit, and refusal of an existing socket path.
 */
class DaemonLifecycleTest {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void pidFileApiAndCleanSigtermExit() {
        Daemon daemon = harness.daemon(Require.dist(), List.of());
        String pid = daemon.pidFileContent();
        assertTrue(pid.matches("\\d+"), "pid file must hold digits only, no newline: '" + pid + "'");
        assertEquals(daemon.process().pid(), Long.parseLong(pid), "the pid file names the gvproxy process itself");

        JsonNode stats = daemon.api().getJson("/stats");
        assertTrue(stats.has("BytesSent") && stats.has("BytesReceived"), stats.toString());
        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals(GATEWAY_MAC, leases.path(GATEWAY_IP).asText(), leases.toString());
        assertTrue(daemon.api().getJson("/cam").isObject());

        assertEquals(0, daemon.stop(), "exit status after SIGTERM");
        assertFalse(Files.exists(daemon.pidFile()), "the pid file is removed on exit");
    }

    /**
     * The launcher's readiness check is the DNS server's first user: the server it made must be the one that
     * serves, not be disposed of when the check lets go and built again (sockets, upstreams) by the next user.
     */
    @Test
    void dnsServerIsBuiltOncePerStart() {
        Daemon daemon = harness.daemon(Require.dist(), List.of());
        assertTrue(daemon.api().getJson("/stats").has("service-dns"), "/stats names the DNS service");
        String started = "DNS server started";
        long builds = daemon.log().lines().filter(line -> line.contains(started)).count();
        assertEquals(1, builds, "'" + started + "' lines in the daemon log");
    }

    @Test
    void existingQemuSocketPathIsRefused() throws Exception {
        Path home = Require.dist();
        Path taken = harness.workDir().resolve("taken.sock");
        Files.writeString(taken, "not a socket");
        Proc.Result result = Proc.run(Duration.ofSeconds(90), home.resolve("bin/gvproxy").toString(),
            "-listen-qemu", "unix://" + taken, "-ssh-port", "-1");
        assertNotEquals(0, result.exit(), "an existing unix path must be refused: " + result.describe());
        assertEquals("not a socket", Files.readString(taken), "the existing file must be left alone");
    }
}
