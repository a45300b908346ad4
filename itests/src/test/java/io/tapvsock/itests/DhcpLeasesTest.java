package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_MAC;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The DHCP server against busybox udhcpc in a namespace guest (compat.md §4, §5): option 119 from a resolv.conf,
 * the lease surviving a SIGKILL of the daemon through its state directory, malformed messages counted and
 * dropped, static leases changed from the shell.
 */
class DhcpLeasesTest {

    /** A udhcpc event script that applies the lease and prints the address and option 119 as udhcpc decoded them. */
    private static final String SCRIPT = """
        #!/bin/sh
        case "$1" in
          deconfig)
            ip addr flush dev "$interface"
            ip link set dev "$interface" up
            ;;
          bound|renew)
            ip addr flush dev "$interface"
            ip addr add "$ip/${mask:-24}" dev "$interface"
            echo "LEASE ip=$ip search=[$search]"
            ;;
        esac
        exit 0
        """;
    private static final Pattern LEASE = Pattern.compile("LEASE ip=(\\S+) search=\\[([^]]*)]");

    /** Client messages whose options are bad in one way each (RFC 2131 §2, RFC 2132 §2), and the counter each moves. */
    private static final String MALFORMED_SENDER = """
        import socket, struct, sys
        def message(options):
            header = struct.pack('!BBBBIHHIIII', 1, 1, 6, 0, 0x5eed, 0, 0x8000, 0, 0, 0, 0)
            chaddr = bytes.fromhex('5a94efe40cee') + bytes(10)
            return header + chaddr + bytes(64 + 128) + bytes([99, 130, 83, 99]) + bytes(options)
        cases = {
            'missing_end': [53, 1, 1],
            'option_overrun': [53, 1, 1, 12, 200, 65, 66],
            'bad_option_length': [53, 1, 3, 50, 1, 9, 255],
            'no_message_type': [12, 2, 65, 66, 255],
        }
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('', 68))
        for name in sys.argv[2:]:
            s.sendto(message(cases[name]), (sys.argv[1], 67))
        """;

    @RegisterExtension
    final Harness harness = new Harness();

    private Path home;

    @BeforeEach
    void prerequisites() {
        Require.root();
        Require.executable("busybox");
        home = Require.dist();
    }

    @Test
    void searchDomainsFromTheConfiguredResolvConf_reachTheGuest() throws Exception {
        Path resolvConf = harness.workDir().resolve("resolv.conf");
        Files.writeString(resolvConf, "nameserver 127.0.0.1\nsearch eng.apple.example marketing.apple.example\n");
        Path dist = harness.distCopy();
        CfgFile.set(dist.resolve("config/io.tapvsock.dhcp.cfg"), "resolvConf", resolvConf.toString());
        Daemon daemon = harness.daemon(dist, List.of());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), dist, daemon.qemuSocket(), 1500);

        Matcher lease = udhcpc(guest, null);
        assertEquals(GUEST_IP, lease.group(1));
        // udhcpc decodes RFC 3397's compressed names back into the list.
        assertEquals("eng.apple.example marketing.apple.example", lease.group(2).strip());
    }

    @Test
    void leaseSurvivesSigkill_withTheSameStateDirectory() throws Exception {
        Path dist = harness.distCopy();
        // No static lease: the guest's MAC gets a dynamic address, which only the lease file can bring back.
        CfgFile.set(dist.resolve("config/io.tapvsock.dhcp.cfg"), "staticLeases", "");
        Path stateDir = harness.workDir().resolve("state");
        List<String> flags = List.of("-state-dir", stateDir.toString());

        Daemon first = killable(Daemon.start(dist, harness.workDir().resolve("daemon1"), flags));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), dist, first.qemuSocket(), 1500);
        assertEquals("192.168.127.77", udhcpc(guest, "192.168.127.77").group(1));
        assertEquals(QemuGuest.GUEST_MAC, first.api().getJson("/leases").path("192.168.127.77").asText());

        first.process().destroyForcibly(); // SIGKILL, as podman stops it
        first.process().waitFor();
        assertTrue(Files.readString(stateDir.resolve("dhcp-leases")).contains("192.168.127.77 " + QemuGuest.GUEST_MAC),
            "lease file in the state directory");

        Daemon second = killable(Daemon.start(dist, harness.workDir().resolve("daemon2"), flags));
        // A new guest with the same MAC, starting from INIT: a DISCOVER without a requested address.
        NsGuest again = NsGuest.attach(harness, harness.netns(), dist, second.qemuSocket(), 1500);
        assertEquals("192.168.127.77", udhcpc(again, null).group(1));
        JsonNode leases = second.api().getJson("/leases");
        assertEquals(QemuGuest.GUEST_MAC, leases.path("192.168.127.77").asText(), leases.toString());
    }

    @Test
    void malformedMessagesAreCountedAndDropped_theNextDiscoverIsAnswered() throws Exception {
        Require.executable("python3");
        Daemon daemon = harness.daemon(home, List.of());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, udhcpc(guest, null).group(1));
        JsonNode before = daemon.api().getJson("/stats").path("DHCP");

        Path sender = harness.workDir().resolve("malformed_dhcp.py");
        Files.writeString(sender, MALFORMED_SENDER);
        List<String> reasons = List.of("missing_end", "option_overrun", "bad_option_length", "no_message_type");
        String[] command = new String[3 + reasons.size()];
        command[0] = "python3";
        command[1] = sender.toString();
        command[2] = GATEWAY_IP;
        for (int i = 0; i < reasons.size(); i++) {
            command[3 + i] = reasons.get(i);
        }
        guest.ns().exec(Duration.ofSeconds(30), command).requireSuccess();

        JsonNode after = awaitStats(daemon, stats -> reasons.stream()
            .allMatch(reason -> stats.path("DHCP").path("malformed").path(reason).asLong() == 1));
        JsonNode dhcp = after.path("DHCP");
        for (String counter : List.of("discover", "request", "offer", "ack", "nak")) {
            assertEquals(before.path(counter).asLong(), dhcp.path(counter).asLong(), counter + ": " + dhcp);
        }
        assertEquals("{\"" + GATEWAY_IP + "\":\"" + GATEWAY_MAC + "\",\"" + GUEST_IP + "\":\"" + QemuGuest.GUEST_MAC
            + "\"}", daemon.api().get("/leases").body(), "the leases did not change");

        assertEquals(GUEST_IP, udhcpc(guest, null).group(1), "a valid DISCOVER after the bad ones");
        JsonNode last = daemon.api().getJson("/stats").path("DHCP");
        assertEquals(dhcp.path("ack").asLong() + 1, last.path("ack").asLong(), last.toString());
    }

    @Test
    void staticLeasesFromTheShell_applyAtOnceAndReachTheConfigFile() throws Exception {
        Path dist = harness.distCopy();
        Path cfg = dist.resolve("config/io.tapvsock.dhcp.cfg");
        Daemon daemon = harness.daemon(dist, List.of());

        String added = daemon.exec("tapvsock:leaseadd 192.168.127.50 02:00:00:00:00:50");
        assertTrue(added.contains("static lease 192.168.127.50=02:00:00:00:00:50 added"), added);
        awaitLeases(daemon, leases -> leases.path("192.168.127.50").asText().equals("02:00:00:00:00:50")
            && leases.path(GUEST_IP).asText().equals(QemuGuest.GUEST_MAC));
        assertTrue(Files.readString(cfg).contains(
            "\nstaticLeases = 192.168.127.2=5a:94:ef:e4:0c:ee,192.168.127.50=02:00:00:00:00:50\n"), Files.readString(cfg));

        String refused = daemon.exec("tapvsock:leaseadd 192.168.127.1 02:00:00:00:00:51");
        assertTrue(refused.startsWith("error: ") && refused.contains("gateway"), refused);

        String removed = daemon.exec("tapvsock:leaseremove 5a:94:ef:e4:0c:ee");
        assertTrue(removed.contains("removed"), removed);
        awaitLeases(daemon, leases -> leases.path(GUEST_IP).isMissingNode()
            && leases.path("192.168.127.50").asText().equals("02:00:00:00:00:50"));
        assertTrue(Files.readString(cfg).contains("\nstaticLeases = 192.168.127.50=02:00:00:00:00:50\n"),
            Files.readString(cfg));
        String shell = daemon.exec("tapvsock:leases");
        assertTrue(shell.contains("192.168.127.50") && shell.contains("static"), shell);
    }

    /** Runs udhcpc once in the guest, asking for option 119 (and for {@code requested}, when given). */
    private Matcher udhcpc(NsGuest guest, String requested) {
        Path script = harness.workDir().resolve("udhcpc-search.sh");
        try {
            Files.writeString(script, SCRIPT);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String request = requested == null ? "" : " -r " + requested;
        Proc.Result result = guest.sh(Duration.ofSeconds(60), "busybox udhcpc -i " + NsGuest.IFACE + " -s " + script
            + " -f -q -n -t 10 -T 2 -O search" + request);
        Matcher lease = LEASE.matcher(result.stdout());
        assertTrue(lease.find(), "no DHCP lease: " + result.describe());
        return lease;
    }

    /** A daemon this test may kill: registered for cleanup by pid, its log appended to a failure. */
    private Daemon killable(Daemon daemon) {
        harness.diagnostic("daemon log " + daemon.logFile(), () -> Proc.tail(daemon.log(), 12_000));
        harness.register((AutoCloseable) () -> {
            if (daemon.process().isAlive()) {
                daemon.stop();
            }
        });
        return daemon;
    }

    private static JsonNode awaitStats(Daemon daemon, Predicate<JsonNode> condition) {
        return await(daemon, "/stats", condition);
    }

    private static JsonNode awaitLeases(Daemon daemon, Predicate<JsonNode> condition) {
        return await(daemon, "/leases", condition);
    }

    /** Polls a JSON endpoint until {@code condition} holds (ConfigAdmin and the network loop are asynchronous). */
    private static JsonNode await(Daemon daemon, String path, Predicate<JsonNode> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode json = daemon.api().getJson(path);
            if (condition.test(json)) {
                return json;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(path + " never reached the expected state: " + json);
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
