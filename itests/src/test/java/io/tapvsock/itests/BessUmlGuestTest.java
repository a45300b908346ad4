package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static io.tapvsock.itests.harness.VirtualNet.NETMASK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.Require;
import io.tapvsock.itests.harness.UmlGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A User Mode Linux guest on the daemon's bess transport ({@code -listen-bess unixpacket:///path}, UML's
 * {@code vec0:transport=bess}): a DHCP lease, ping of the gateway, and TCP through the host IP to servers on the
 * host's 127.0.0.1, both ways.
 */
class BessUmlGuestTest {
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration STEP = Duration.ofSeconds(90);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void umlGetsLeasePingsGatewayAndTalksTcpToTheHost() throws Exception {
        Path bessSocket = harness.workDir().resolve("bess.sock");
        Daemon daemon = harness.daemon(Require.dist(), List.of("-mtu", "1500", "-listen-bess",
            "unixpacket://" + bessSocket));
        awaitSocket(bessSocket);
        HostServers servers = harness.hostServers();
        int echo = servers.tcpEcho();
        HostServers.Source source = servers.source(1024 * 1024, 7);

        String body = """
            $B udhcpc -i vec0 -s "$UDHCPC_SCRIPT" -f -q -n -t 10 -T 2 -O mtu || echo "MARK dhcp-failed"
            if $B ping -c2 -W5 %1$s; then echo "MARK ping-ok"; else echo "MARK ping-failed"; fi
            echo "MARK echo [$(echo hello-from-uml | $B nc %2$s %3$d)]"
            echo "MARK download $($B nc %2$s %4$d </dev/null | $B sha256sum)"
            """.formatted(GATEWAY_IP, HOST_IP, echo, source.port());
        UmlGuest guest = harness.register(UmlGuest.boot(harness.workDir(), bessSocket, body));
        harness.diagnostic("guest console", guest::transcript);

        guest.await(Pattern.compile("MARK booted " + UmlGuest.GUEST_MAC), BOOT);
        Matcher lease = guest.await(Pattern.compile("LEASE (ip=.*)|MARK dhcp-failed"), STEP);
        assertEquals(new Lease(GUEST_IP, NETMASK, GATEWAY_IP, GATEWAY_IP, "1500"),
            lease.group(1) == null ? null : Lease.parse(lease.group(1)));
        assertEquals("ok", guest.await(Pattern.compile("MARK ping-(ok|failed)"), STEP).group(1),
            "ping -c2 of the gateway from UML");
        Matcher tcp = guest.await(Pattern.compile("MARK echo \\[(.*)]"), STEP);
        assertEquals("hello-from-uml", tcp.group(1));
        Matcher download = guest.await(Pattern.compile("MARK download (\\S*)"), STEP);
        assertEquals(source.sha256(), download.group(1), "1 MiB host -> UML sha256");

        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals(UmlGuest.GUEST_MAC, leases.path(GUEST_IP).asText(), leases.toString());
        JsonNode bess = daemon.api().getJson("/stats").path("transport-bess");
        assertEquals(1, bess.path("clientsAccepted").asLong(), bess.toString());
        assertTrue(bess.path("framesIn").asLong() > 0 && bess.path("framesOut").asLong() > 0, bess.toString());

        guest.await(Pattern.compile("MARK end"), STEP);
        assertTrue(guest.awaitExit(STEP), "UML halts after its init script");
        assertTrue(Files.exists(bessSocket), "the listener outlives its client");
    }

    /** The bess listener starts after the qemu one, whose socket the harness waits for. */
    private static void awaitSocket(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no bess socket " + socket + " within " + STEP);
            }
            Thread.sleep(100);
        }
    }
}
