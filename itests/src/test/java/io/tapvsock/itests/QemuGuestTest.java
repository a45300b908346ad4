package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static io.tapvsock.itests.harness.VirtualNet.NETMASK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.HostServers;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Whole VMs under QEMU's TCG, their virtio-net NIC connected to the daemon's qemu transport in each way QEMU
 * has: {@code -netdev stream} over unix and over tcp, the legacy {@code -netdev socket,connect=}, and
 * {@code -netdev socket,fd=3} through bin/qemu-wrapper (QEMU before 7.2). Each: lease, ping, TCP both ways with a
 * host server.
 */
class QemuGuestTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(90);
    /** A second qemu listener on tcp, opened by a factory configuration in the distribution's config/. */
    private static final String TCP_CFG = "config/io.tapvsock.transport.qemu-itest-tcp.cfg";

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void streamOverUnix() {
        Daemon daemon = harness.daemon(Require.dist(), List.of("-mtu", "1500"));
        vmGetsLeasePingsGatewayAndTalksTcpToTheHost(daemon, QemuGuest.streamNetdev(daemon.qemuSocket()), List.of());
    }

    @Test
    void streamOverTcp() throws Exception {
        withTcpListener((daemon, port) -> vmGetsLeasePingsGatewayAndTalksTcpToTheHost(daemon,
            "stream,id=n0,server=off,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port, List.of()));
    }

    @Test
    void legacySocketConnect() throws Exception {
        withTcpListener((daemon, port) -> vmGetsLeasePingsGatewayAndTalksTcpToTheHost(daemon,
            "socket,id=n0,connect=127.0.0.1:" + port, List.of()));
    }

    @Test
    void socketFd3ThroughTheQemuWrapper() {
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        vmGetsLeasePingsGatewayAndTalksTcpToTheHost(daemon, "socket,id=n0,fd=3",
            List.of(home.resolve("bin/qemu-wrapper").toString(), daemon.qemuSocket().toString()));
    }

    private interface TcpListenerTest {
        void run(Daemon daemon, int port) throws Exception;
    }

    /** Runs {@code test} with a daemon that also listens for QEMU on tcp://127.0.0.1:port (removed after). */
    private void withTcpListener(TcpListenerTest test) throws Exception {
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500"));
        int port = freePort();
        Path cfg = home.resolve(TCP_CFG);
        try {
            CfgFile.write(cfg, Map.of("listen", "tcp://127.0.0.1:" + port));
            awaitListening(port);
            test.run(daemon, port);
        } finally {
            Files.deleteIfExists(cfg);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    /**
     * Waits until the listener accepts. The probe connection is the listener's one client while it lasts, and
     * is closed at once, so QEMU's connection that follows is accepted.
     */
    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no qemu listener on 127.0.0.1:" + port + " within " + STEP);
                }
                Thread.sleep(100);
            }
        }
        Thread.sleep(500); // the listener saw the probe leave before QEMU connects
    }

    private void vmGetsLeasePingsGatewayAndTalksTcpToTheHost(Daemon daemon, String netdev, List<String> launcher) {
        HostServers servers = harness.hostServers();
        int echo = servers.tcpEcho();
        HostServers.Source source = servers.source(1024 * 1024, 5);

        String body = """
            udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 10 -T 2 -O mtu || echo "MARK dhcp-failed"
            if ping -c2 -W5 %1$s; then echo "MARK ping-ok"; else echo "MARK ping-failed"; fi
            echo "MARK echo [$(echo hello-from-qemu | nc %2$s %3$d)]"
            echo "MARK download $(nc %2$s %4$d </dev/null | sha256sum)"
            """.formatted(GATEWAY_IP, HOST_IP, echo, source.port());
        QemuGuest guest = harness.register(QemuGuest.boot(harness.workDir(), netdev, body, launcher));
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
