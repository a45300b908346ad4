package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Lease;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code -config FILE} (compat.md section 2): gvproxy's YAML takes effect as seen through the API and by a guest's
 * DHCP lease, a flag on the command line overrides the file, and a bad file stops the daemon with exit status 2
 * and the field named. The harness's own flags (-listen, -listen-qemu, -pid-file, -log-file, -ssh-port -1) are on
 * every command line, so they override whatever the files say about those.
 */
class YamlConfigTest {

    @RegisterExtension
    final Harness harness = new Harness();

    /**
     * gvproxy's documented example (cmd/gvproxy/config.yaml, "the legacy behavior"), every field of it supported.
     * One change: the ssh forward's host port is a free one instead of 2222, which may be taken on this machine.
     */
    private static String upstreamExample(int sshPort) {
        return """
                log-level: info
                stack:
                    mtu: 1500
                    subnet: 192.168.127.0/24
                    gatewayIP: 192.168.127.1
                    deviceIP: 192.168.127.2
                    hostIP: 192.168.127.254
                    gatewayMacAddress: 5a:94:ef:e4:0c:dd
                    dns:
                        - name: containers.internal.
                          records:
                            - name: gateway
                              ip: 192.168.127.1
                            - name: host
                              ip: 192.168.127.254
                        - name: docker.internal.
                          records:
                            - name: gateway
                              ip: 192.168.127.1
                            - name: host
                              ip: 192.168.127.254
                    forwards:
                        127.0.0.1:SSH_PORT: 192.168.127.2:22
                    nat:
                        192.168.127.254: 127.0.0.1
                    gatewayVirtualIPs:
                        - 192.168.127.254
                    dhcpStaticLeases:
                        192.168.127.2: 5a:94:ef:e4:0c:ee
                    vpnKitUUIDMacAddresses:
                        c3d68012-0208-11ea-9fd7-f2189899ab08: 5a:94:ef:e4:0c:ee
                """.replace("SSH_PORT", Integer.toString(sshPort));
    }

    @Test
    void upstreamExampleTakesEffectThroughTheApi() throws Exception {
        int sshPort = freePort();
        Path config = Files.writeString(harness.workDir().resolve("gvproxy.yaml"), upstreamExample(sshPort));
        Daemon daemon = harness.daemon(Require.dist(), List.of("-config", config.toString()));

        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"},"
                + "{\"Name\":\"docker.internal.\",\"Records\":[{\"Name\":\"gateway\",\"IP\":\"192.168.127.1\"},"
                + "{\"Name\":\"host\",\"IP\":\"192.168.127.254\"}],\"DefaultIP\":\"\"}]",
                daemon.api().getJson("/services/dns/all").toString());
        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals("5a:94:ef:e4:0c:ee", leases.path("192.168.127.2").asText(), leases.toString());
        assertEquals("5a:94:ef:e4:0c:dd", leases.path("192.168.127.1").asText(), leases.toString());
        // -ssh-port -1 is on the command line: this forward is the file's.
        assertEquals("[{\"local\":\"127.0.0.1:" + sshPort + "\",\"remote\":\"192.168.127.2:22\",\"protocol\":\"tcp\"}]",
                daemon.api().getJson("/services/forwarder/all").toString());
    }

    @Test
    void ownNetworkZonesLeasesAndForwardsWithAFlagOverridingTheMtu() throws Exception {
        Require.root();
        int tcpPort = freePort();
        int udpPort = freeUdpPort();
        Path config = Files.writeString(harness.workDir().resolve("lab.yaml"), """
                stack:
                  mtu: 1400
                  subnet: 10.77.3.0/24
                  dns:
                    - name: lab.internal.
                      records:
                        - name: db
                          ip: 10.77.3.10
                        - regexp: '^web-'
                          ip: 10.77.3.11
                      defaultIP: 10.77.3.12
                  dnsSearchDomains: [lab.internal]
                  forwards:
                    127.0.0.1:TCP_PORT: 10.77.3.9:80
                    udp:127.0.0.1:UDP_PORT: 10.77.3.9:53
                  dhcpStaticLeases:
                    10.77.3.9: GUEST_MAC
                """.replace("TCP_PORT", Integer.toString(tcpPort)).replace("UDP_PORT", Integer.toString(udpPort))
                .replace("GUEST_MAC", QemuGuest.GUEST_MAC));
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of("-config", config.toString(), "-mtu", "1300"));

        // Only the file's zone: gvproxy adds containers.internal. and docker.internal. only without a file.
        assertEquals("[{\"Name\":\"lab.internal.\",\"Records\":[{\"Name\":\"db\",\"IP\":\"10.77.3.10\"},"
                + "{\"IP\":\"10.77.3.11\",\"Regexp\":\"^web-\"}],\"DefaultIP\":\"10.77.3.12\"}]",
                daemon.api().getJson("/services/dns/all").toString());
        JsonNode leases = daemon.api().getJson("/leases");
        assertEquals(QemuGuest.GUEST_MAC, leases.path("10.77.3.9").asText(), leases.toString());
        assertFalse(leases.has("10.77.3.2"), "no default static lease with a file: " + leases);
        // Sorted as upstream: by local address, then protocol.
        String tcp = "{\"local\":\"127.0.0.1:" + tcpPort + "\",\"remote\":\"10.77.3.9:80\",\"protocol\":\"tcp\"}";
        String udp = "{\"local\":\"127.0.0.1:" + udpPort + "\",\"remote\":\"10.77.3.9:53\",\"protocol\":\"udp\"}";
        boolean tcpFirst = ("127.0.0.1:" + tcpPort).compareTo("127.0.0.1:" + udpPort) < 0;
        assertEquals("[" + (tcpFirst ? tcp + "," + udp : udp + "," + tcp) + "]",
                daemon.api().getJson("/services/forwarder/all").toString());

        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        Lease lease = guest.dhcp();
        assertEquals("10.77.3.9", lease.ip(), "the file's static lease, in the file's subnet: " + lease);
        assertEquals("10.77.3.1", lease.router(), lease.toString());
        assertEquals("1300", lease.mtu(), "-mtu on the command line overrides the file's 1400: " + lease);
    }

    @Test
    void aBadFileExitsWithStatus2AndNamesTheField() throws Exception {
        Path home = Require.dist();
        Path dir = harness.workDir();
        Path config = Files.writeString(dir.resolve("bad.yaml"), "stack:\n  subnet: 10.1.0.0/24\n  mtu: big\n");
        Proc.Result result = Proc.run(Duration.ofSeconds(90), home.resolve("bin/gvproxy").toString(),
                "-config", config.toString(), "-listen-qemu", "unix://" + dir.resolve("q.sock"));
        assertEquals(2, result.exit(), result.describe());
        assertTrue(result.stderr().contains(config + ": stack.mtu: not a number (line 3)"), result.describe());
        assertFalse(Files.exists(dir.resolve("q.sock")), "nothing may start");

        Path unknown = Files.writeString(dir.resolve("unknown.yaml"), "interfaces:\n  qemu2: unix:///tmp/x.sock\n");
        result = Proc.run(Duration.ofSeconds(90), home.resolve("bin/gvproxy").toString(), "-config", unknown.toString());
        assertEquals(2, result.exit(), result.describe());
        assertTrue(result.stderr().contains(unknown + ": interfaces.qemu2: unknown key"), result.describe());
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
