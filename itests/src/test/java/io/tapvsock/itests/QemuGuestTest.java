package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static io.tapvsock.itests.harness.VirtualNet.NETMASK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A whole VM under QEMU's TCG, its virtio-net NIC on {@code -netdev stream} to the daemon's
 * {@code -listen-qemu unix://} socket (issue 2, case b): lease, ping, TCP both ways with a host server.
 */
class QemuGuestTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(90);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void vmGetsLeasePingsGatewayAndTalksTcpToTheHost() {
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        HostServers servers = harness.hostServers();
        int echo = servers.tcpEcho();
        HostServers.Source source = servers.source(1024 * 1024, 5);

        String body = """
            udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 10 -T 2 -O mtu || echo "MARK dhcp-failed"
            if ping -c2 -W5 %1$s; then echo "MARK ping-ok"; else echo "MARK ping-failed"; fi
            echo "MARK echo [$(echo hello-from-qemu | nc %2$s %3$d)]"
            echo "MARK download $(nc %2$s %4$d </dev/null | sha256sum)"
            """.formatted(GATEWAY_IP, HOST_IP, echo, source.port());
        QemuGuest guest = harness.register(QemuGuest.boot(harness.workDir(),
            QemuGuest.streamNetdev(daemon.qemuSocket()), body));
        harness.diagnostic("guest console", guest::transcript);

        guest.await(Pattern.compile("MARK booted " + QemuGuest.GUEST_MAC), BOOT);
        Matcher lease = guest.await(Pattern.compile("LEASE (ip=.*)|MARK dhcp-failed"), STEP);
        assertEquals(new Lease(GUEST_IP, NETMASK, GATEWAY_IP, GATEWAY_IP, "1500"),
            lease.group(1) == null ? null : Lease.parse(lease.group(1)));
        assertEquals("ok", guest.await(Pattern.compile("MARK ping-(ok|failed)"), STEP).group(1),
            "ping -c2 of the gateway from the VM");
        Matcher tcp = guest.await(Pattern.compile("MARK echo \\[(.*)]"), STEP);
        assertEquals("hello-from-qemu", tcp.group(1));
        Matcher download = guest.await(Pattern.compile("MARK download (\\S*)"), STEP);
        assertEquals(source.sha256(), download.group(1), "1 MiB host -> VM sha256");

        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals(QemuGuest.GUEST_MAC, leases.path(GUEST_IP).asText(), leases.toString());
    }
}
