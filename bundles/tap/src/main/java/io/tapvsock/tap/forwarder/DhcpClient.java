package io.tapvsock.tap.forwarder;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Runs the guest's DHCP client on the TAP once the link is up and connected, as gvforwarder does (unless
 * -preexisting or -dhcp=false): {@code udhcpc}, or the same through {@code busybox}, else {@code dhclient}. The
 * client configures the interface itself (address, route, resolv.conf, MTU option) through its usual scripts.
 * One run at a time: a client still trying is left alone on reconnect; one that finished is started again.
 */
final class DhcpClient {

    private final String iface;
    private final Logger log;
    private Process running;
    private boolean missingLogged;

    DhcpClient(String iface, Logger log) {
        this.iface = iface;
        this.log = log;
    }

    /**
     * The command to run, gvforwarder's: udhcpc in the foreground, trying until it has a lease and then quitting
     * (-f -q; without gvforwarder's -v, which Debian's busybox refuses); else busybox's udhcpc; else dhclient in
     * the foreground, keeping the lease (-4 -d -v). Empty when none is installed.
     */
    static Optional<List<String>> command(String iface, Predicate<String> installed) {
        if (installed.test("udhcpc")) {
            return Optional.of(List.of("udhcpc", "-f", "-q", "-i", iface));
        }
        if (installed.test("busybox")) {
            return Optional.of(List.of("busybox", "udhcpc", "-f", "-q", "-i", iface));
        }
        if (installed.test("dhclient")) {
            return Optional.of(List.of("dhclient", "-4", "-d", "-v", iface));
        }
        return Optional.empty();
    }

    /** Whether an executable of that name is on the PATH. */
    static boolean onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }

    /** Starts the client unless one started here is still running. Failures are logged, never thrown. */
    synchronized void start() {
        if (running != null && running.isAlive()) {
            return;
        }
        Optional<List<String>> command = command(iface, DhcpClient::onPath);
        if (command.isEmpty()) {
            if (!missingLogged) {
                log.warning("no DHCP client found (udhcpc, busybox, dhclient); configure " + iface
                        + " by hand, or pass -dhcp=false");
                missingLogged = true;
            }
            return;
        }
        try {
            log.info("running " + String.join(" ", command.get()));
            Process process = new ProcessBuilder(command.get())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            running = process;
            process.onExit().thenAccept(done -> {
                if (done.exitValue() != 0) {
                    log.warning(command.get().getFirst() + " exited with status " + done.exitValue());
                } else {
                    log.fine(command.get().getFirst() + " finished");
                }
            });
        } catch (IOException e) {
            log.warning("cannot run " + command.get().getFirst() + ": " + e.getMessage());
        }
    }

    /** Ends the client started here, if it still runs. */
    synchronized void stop() {
        if (running != null && running.isAlive()) {
            running.destroy();
        }
    }
}
