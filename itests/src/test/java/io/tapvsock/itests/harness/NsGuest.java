package io.tapvsock.itests.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A guest made of a network namespace and the distribution's {@code tapvsock-forwarder}, which creates
 * {@code tap0} in the namespace and relays its frames to a daemon's qemu socket. The host's tools (busybox
 * udhcpc/ping, socat) then run in the namespace against the real Linux stack.
 */
public final class NsGuest {
    public static final String IFACE = "tap0";

    private final NetNs ns;
    private final Path scriptDir;
    private final Process forwarder;

    private NsGuest(NetNs ns, Path scriptDir, Process forwarder) {
        this.ns = ns;
        this.scriptDir = scriptDir;
        this.forwarder = forwarder;
    }

    /**
     * Starts the forwarder in {@code ns} against {@code qemuSocket} with the TAP's MTU {@code mtu} and waits
     * until {@code tap0} is up. The forwarder is stopped when the namespace is closed.
     */
    public static NsGuest attach(Harness harness, NetNs ns, Path home, Path qemuSocket, int mtu) {
        return attachUrl(harness, ns, home, "qemu+unix://" + qemuSocket, mtu);
    }

    /** Like {@link #attach}, with the forwarder's {@code -url} given as is (e.g. gvforwarder's unix:///api.sock). */
    public static NsGuest attachUrl(Harness harness, NetNs ns, Path home, String url, int mtu) {
        Require.executable("busybox");
        List<String> command = List.of(home.resolve("bin/tapvsock-forwarder").toString(),
            "-url", url, "-iface", IFACE, "-mtu", Integer.toString(mtu),
            "-mac", QemuGuest.GUEST_MAC, "-dhcp=false"); // the tests run their own DHCP client
        Process forwarder = ns.start("forwarder", command);
        harness.diagnostic("forwarder output (" + ns.name() + ")",
            () -> Proc.tail(Proc.readQuietly(ns.logFile("forwarder")), 4000));
        NsGuest guest = new NsGuest(ns, harness.workDir(), forwarder);
        guest.awaitTapUp(command);
        return guest;
    }

    private void awaitTapUp(List<String> command) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Proc.Result link = ns.exec(Duration.ofSeconds(10), "ip", "-o", "link", "show", IFACE);
            if (link.exit() == 0 && link.stdout().contains(",UP")) {
                return;
            }
            if (!forwarder.isAlive()) {
                throw new AssertionError("forwarder exited with status " + forwarder.exitValue() + ": " + command
                    + "\n--- forwarder output ---\n" + Proc.readQuietly(ns.logFile("forwarder")));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tap0 not up in " + ns.name() + " after 60 s: " + link.describe()
                    + "\n--- forwarder output ---\n" + Proc.readQuietly(ns.logFile("forwarder")));
            }
            Daemon.sleep(100);
        }
    }

    /** The namespace the guest lives in. */
    public NetNs ns() {
        return ns;
    }

    /** The forwarder process. */
    public Process forwarder() {
        return forwarder;
    }

    /**
     * Runs {@code busybox udhcpc} once on tap0 (asking for option 26); the event script applies the lease.
     * Fails with udhcpc's output when no lease comes.
     */
    public Lease dhcp() {
        Path script = Lease.writeScript(scriptDir);
        Proc.Result result = ns.exec(Duration.ofSeconds(60), "busybox", "udhcpc", "-i", IFACE, "-s",
            script.toString(), "-f", "-q", "-n", "-t", "10", "-T", "2", "-O", "mtu");
        return Lease.find(result.stdout()).orElseThrow(() -> new AssertionError("no DHCP lease: "
            + result.describe()));
    }

    /** {@code busybox ping -c COUNT} to {@code address}; returns the result without judging it. */
    public Proc.Result ping(String address, int count) {
        return ns.exec(Duration.ofSeconds(30), "busybox", "ping", "-c", Integer.toString(count), "-W", "5",
            address);
    }

    /** Runs a shell script in the namespace. */
    public Proc.Result sh(Duration timeout, String script) {
        return ns.sh(timeout, script);
    }
}
