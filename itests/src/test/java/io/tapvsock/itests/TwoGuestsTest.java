package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NetNs;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.Require;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two guests on one virtual network through different transports (issue 4, the switch): a QEMU VM on the qemu
 * transport and a network namespace on the tap transport. They learn each other through the switch (ARP
 * broadcast to every other port, then unicast by the CAM), ping each other and exchange TCP both ways; /cam
 * lists both MACs on different ports.
 */
class TwoGuestsTest {
    private static final Duration BOOT = Duration.ofSeconds(180);
    private static final Duration STEP = Duration.ofSeconds(90);
    private static final String NS_MAC = "5a:94:ef:e4:0c:03";
    private static final String NS_IP = "192.168.127.3";
    private static final int NS_PORT = 7300;
    private static final int VM_PORT = 7400;

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void aVmOnQemuAndANamespaceOnTapPingAndTalkTcp() throws InterruptedException {
        Require.executable("busybox");
        NetNs ns = harness.netns();
        Daemon daemon = harness.daemon(Require.dist(), List.of("-mtu", "1500", "-listen-tap",
            "netns=/var/run/netns/" + ns.name() + ",iface=tap0,mac=" + NS_MAC + ",configure=false"));
        awaitTap(ns);
        Proc.Result setup = ns.sh(Duration.ofSeconds(20), "ip link set lo up && ip link set tap0 up"
            + " && ip addr add " + NS_IP + "/24 dev tap0");
        assertEquals(0, setup.exit(), setup.describe());
        // A one-shot TCP server in the namespace for the VM: answers with its own name.
        ns.start("ns-server", List.of("sh", "-c", "echo from-namespace | busybox nc -l -p " + NS_PORT));

        String body = """
            udhcpc -i eth0 -s /etc/udhcpc.sh -f -q -n -t 10 -T 2 || echo "MARK dhcp-failed"
            if ping -c2 -W5 %1$s; then echo "MARK ping-ok"; else echo "MARK ping-failed"; fi
            echo "MARK tcp [$(nc %1$s %2$d </dev/null)]"
            echo from-vm | nc -l -p %3$d
            echo "MARK served"
            sleep 600
            """.formatted(NS_IP, NS_PORT, VM_PORT);
        QemuGuest vm = harness.register(QemuGuest.boot(harness.workDir(),
            QemuGuest.streamNetdev(daemon.qemuSocket()), body));
        harness.diagnostic("guest console", vm::transcript);

        vm.await(Pattern.compile("MARK booted " + QemuGuest.GUEST_MAC), BOOT);
        assertEquals("ok", vm.await(Pattern.compile("MARK ping-(ok|failed)"), STEP).group(1),
            "VM -> namespace ping");
        Matcher tcp = vm.await(Pattern.compile("MARK tcp \\[(.*)]"), STEP);
        assertEquals("from-namespace", tcp.group(1), "VM -> namespace TCP");

        Proc.Result ping = ns.exec(Duration.ofSeconds(30), "busybox", "ping", "-c", "2", "-W", "5", GUEST_IP);
        assertEquals(0, ping.exit(), "namespace -> VM ping: " + ping.describe());
        Proc.Result fromVm = ns.sh(Duration.ofSeconds(60), "for i in $(seq 50); do"
            + " out=$(busybox nc " + GUEST_IP + " " + VM_PORT + " </dev/null) && [ -n \"$out\" ] && echo \"$out\" && exit 0;"
            + " sleep 0.2; done; exit 1");
        assertEquals("from-vm", fromVm.stdout().trim(), "namespace -> VM TCP: " + fromVm.describe());
        vm.await(Pattern.compile("MARK served"), STEP);

        JsonNode cam = daemon.api().getJson("/cam");
        assertTrue(cam.has(QemuGuest.GUEST_MAC) && cam.has(NS_MAC), cam.toString());
        assertTrue(cam.get(QemuGuest.GUEST_MAC).asInt() != cam.get(NS_MAC).asInt(), "one port each: " + cam);
    }

    private static void awaitTap(NetNs ns) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (ns.exec(Duration.ofSeconds(10), "ip", "link", "show", "tap0").exit() != 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no tap0 in " + ns.name() + " after " + STEP);
            }
            Thread.sleep(100);
        }
    }
}
