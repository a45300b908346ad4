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
 * Runs the guest's DHCP client on the TAP once the link is up and connected (-dhcp): {@code udhcpc}, or the
 * same through {@code busybox}, else {@code dhclient}. The client configures the interface itself (address,
 * route, resolv.conf, MTU option) through its usual scripts. One run at a time; started again on reconnect.
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
     * The command to run: udhcpc in the foreground, quitting once it has a lease (-q) or none (-n); else busybox's
     * udhcpc; else dhclient trying once (-1). Empty when none is installed.
     */
    static Optional<List<String>> command(String iface, Predicate<String> installed) {
        if (installed.test("udhcpc")) {
            return Optional.of(List.of("udhcpc", "-f", "-q", "-n", "-i", iface));
        }
        if (installed.test("busybox")) {
            return Optional.of(List.of("busybox", "udhcpc", "-f", "-q", "-n", "-i", iface));
        }
        if (installed.test("dhclient")) {
            return Optional.of(List.of("dhclient", "-1", iface));
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
                log.warning("-dhcp: no DHCP client found (udhcpc, busybox, dhclient); configure " + iface
                        + " by hand");
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
