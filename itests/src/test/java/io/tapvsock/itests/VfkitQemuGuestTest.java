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
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A whole VM under QEMU's TCG on the vfkit transport ({@code -listen-vfkit unixgram:///path}): QEMU's
 * {@code -netdev dgram} binds its own unix datagram socket and sends each frame as one datagram to the daemon's,
 * which learns QEMU as its peer from the first one. Lease, ping of the gateway, TCP to a host server through the
 * host IP, and the transport's counters and shell command afterwards.
 */
class VfkitQemuGuestTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(90);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void dgramNetdev_leasePingAndTcpToTheHost() throws IOException {
        Path home = Require.dist(); // vfkit is in extras/: -listen-vfkit installs it from there
        Path vfkitSocket = harness.workDir().resolve("vfkit.sock");
        Path qemuSocket = harness.workDir().resolve("qemu-dgram.sock");
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500", "-listen-vfkit", "unixgram://" + vfkitSocket));
        daemon.awaitLog("ready in", STEP); // the harness waits for the qemu socket; the vfkit one comes after it
        assertTrue(Files.exists(vfkitSocket), "the daemon is ready only once the vfkit socket exists");

        HostServers servers = harness.hostServers();
        int echo = servers.tcpEcho();
        HostServers.Source source = servers.source(1024 * 1024, 5);
        String body = """
            udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 10 -T 2 -O mtu || echo "MARK dhcp-failed"
            if ping -c2 -W5 %1$s; then echo "MARK ping-ok"; else echo "MARK ping-failed"; fi
            echo "MARK echo [$(echo hello-over-dgram | nc %2$s %3$d)]"
            echo "MARK download $(nc %2$s %4$d </dev/null | sha256sum)"
            """.formatted(GATEWAY_IP, HOST_IP, echo, source.port());
        String netdev = "dgram,id=n0,local.type=unix,local.path=" + qemuSocket
            + ",remote.type=unix,remote.path=" + vfkitSocket;
        QemuGuest guest = harness.register(QemuGuest.boot(harness.workDir(), netdev, body));
        harness.diagnostic("guest console", guest::transcript);

        guest.await(Pattern.compile("MARK booted " + QemuGuest.GUEST_MAC), BOOT);
        Matcher lease = guest.await(Pattern.compile("LEASE (ip=.*)|MARK dhcp-failed"), STEP);
        assertEquals(new Lease(GUEST_IP, NETMASK, GATEWAY_IP, GATEWAY_IP, "1500"),
            lease.group(1) == null ? null : Lease.parse(lease.group(1)));
        assertEquals("ok", guest.await(Pattern.compile("MARK ping-(ok|failed)"), STEP).group(1),
            "ping -c2 of the gateway from the VM");
        assertEquals("hello-over-dgram", guest.await(Pattern.compile("MARK echo \\[(.*)]"), STEP).group(1));
        assertEquals(source.sha256(), guest.await(Pattern.compile("MARK download (\\S*)"), STEP).group(1),
            "1 MiB host -> VM sha256 over datagrams");

        JsonNode stats = daemon.api().getJson("/stats").path("transport-vfkit");
        assertEquals(1, stats.path("peers").asLong(), stats.toString());
        assertTrue(stats.path("framesIn").asLong() > 0, stats.toString());
        String shell = daemon.exec("tapvsock:vfkit");
        assertTrue(shell.contains("unixgram://" + vfkitSocket) && shell.contains("peer " + qemuSocket), shell);
    }
}
