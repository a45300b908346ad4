package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The distribution's {@code bin/gvproxy} as a running process with gvproxy's flags: an API socket, one or more
 * qemu transport sockets, a pid file and a log file in its own directory. Ready when the transport socket files
 * exist (the readiness signal podman uses). Stopped by its own pid with SIGTERM, and a clean stop exits 0.
 */
public final class Daemon implements AutoCloseable {
    /** How long the JVM, the OSGi framework and every bundle get to come up on a busy 2-core machine. */
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);

    private final Path home;
    private final Path dir;
    private final Process process;
    private final List<Path> qemuSockets;
    private boolean stopped;

    private Daemon(Path home, Path dir, Process process, List<Path> qemuSockets) {
        this.home = home;
        this.dir = dir;
        this.process = process;
        this.qemuSockets = qemuSockets;
    }

    /**
     * Starts {@code home/bin/gvproxy} with {@code -listen unix://DIR/api.sock -listen-qemu unix://DIR/q.sock
     * -pid-file -log-file -ssh-port -1} and {@code extraFlags}. Each further {@code -listen-qemu unix://...} in
     * {@code extraFlags} is also awaited. Fails with the daemon's output if it exits or is not ready in time.
     */
    public static Daemon start(Path home, Path dir, List<String> extraFlags) {
        return start(List.of(), home, dir, extraFlags);
    }

    /**
     * Like {@link #start(Path, Path, List)}, but the daemon runs inside {@code ns} ({@code ip netns exec}, which
     * execs, so the pid is still the daemon's): a test "host" of its own whose 127.0.0.1 and routes the test
     * controls. The unix sockets stay on the shared file system.
     */
    public static Daemon startIn(NetNs ns, Path home, Path dir, List<String> extraFlags) {
        return start(List.of("ip", "netns", "exec", ns.name()), home, dir, extraFlags);
    }

    private static Daemon start(List<String> prefix, Path home, Path dir, List<String> extraFlags) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Path> sockets = new ArrayList<>(List.of(dir.resolve("q.sock")));
        for (int i = 0; i + 1 < extraFlags.size(); i++) {
            if (extraFlags.get(i).equals("-listen-qemu") && extraFlags.get(i + 1).startsWith("unix://")) {
                sockets.add(Path.of(extraFlags.get(i + 1).substring("unix://".length())));
            }
        }
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(home.resolve("bin/gvproxy").toString(),
            "-listen", "unix://" + dir.resolve("api.sock"),
            "-listen-qemu", "unix://" + dir.resolve("q.sock"),
            "-pid-file", dir.resolve("gvproxy.pid").toString(),
            "-log-file", dir.resolve("gvproxy.log").toString(),
            "-ssh-port", "-1"));
        command.addAll(extraFlags);
        Process process = Proc.start(command, dir.resolve("console.txt"));
        Daemon daemon = new Daemon(home, dir, process, List.copyOf(sockets));
        daemon.awaitReady(command);
        return daemon;
    }

    private void awaitReady(List<String> command) {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (!qemuSockets.stream().allMatch(Files::exists)) {
            if (!process.isAlive()) {
                throw new AssertionError("daemon exited with status " + process.exitValue() + " before it was ready: "
                    + command + "\n--- console ---\n" + console() + "\n--- log ---\n" + Proc.tail(log(), 8000));
            }
            if (System.nanoTime() > deadline) {
                Proc.killTree(process.toHandle());
                stopped = true;
                throw new AssertionError("daemon not ready within " + STARTUP + " (no " + qemuSockets + "): "
                    + command + "\n--- console ---\n" + console() + "\n--- log ---\n" + Proc.tail(log(), 8000));
            }
            sleep(100);
        }
    }

    /** The distribution this daemon runs from. */
    public Path home() {
        return home;
    }

    /** The {@code -listen} unix socket serving the HTTP API. */
    public Path apiSocket() {
        return dir.resolve("api.sock");
    }

    /** The first {@code -listen-qemu} unix socket. */
    public Path qemuSocket() {
        return qemuSockets.get(0);
    }

    /** Every {@code -listen-qemu} unix socket, in flag order. */
    public List<Path> qemuSockets() {
        return qemuSockets;
    }

    /** The {@code -log-file}. */
    public Path logFile() {
        return dir.resolve("gvproxy.log");
    }

    /** The {@code -pid-file}. */
    public Path pidFile() {
        return dir.resolve("gvproxy.pid");
    }

    /** The log file's current content. */
    public String log() {
        return Files.exists(logFile()) ? Proc.readQuietly(logFile()) : "(no log file " + logFile() + ")";
    }

    /** What the process wrote to stdout and stderr. */
    public String console() {
        return Proc.readQuietly(dir.resolve("console.txt"));
    }

    /** The process we started. */
    public Process process() {
        return process;
    }

    /** An API client for the {@code -listen} socket. */
    public ApiClient api() {
        return new ApiClient(apiSocket());
    }

    /** Runs one Gogo command against this daemon with {@code bin/gvproxy -exec CMD -pid PID}; returns stdout. */
    public String exec(String gogoCommand) {
        return Proc.run(Duration.ofSeconds(60), home.resolve("bin/gvproxy").toString(), "-exec", gogoCommand,
            "-pid", Long.toString(process.pid())).requireSuccess().stdout();
    }

    /** Waits until the log contains {@code text}; fails with the log tail otherwise. */
    public void awaitLog(String text, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("daemon log does not contain '" + text + "' after " + timeout
                    + "\n--- log ---\n" + Proc.tail(log(), 8000));
            }
            sleep(200);
        }
    }

    /** Sends SIGTERM to the daemon's own pid and returns its exit status; kills it if it does not exit in time. */
    public int stop() {
        if (stopped) {
            return process.isAlive() ? -1 : process.exitValue();
        }
        stopped = true;
        process.destroy(); // SIGTERM on Linux, to this pid only
        try {
            if (!process.waitFor(SHUTDOWN.toMillis(), TimeUnit.MILLISECONDS)) {
                Proc.killTree(process.toHandle());
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("daemon did not exit within " + SHUTDOWN + " of SIGTERM; killed."
                    + "\n--- log ---\n" + Proc.tail(log(), 8000));
            }
        } catch (InterruptedException e) {
            Proc.killTree(process.toHandle());
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the daemon", e);
        }
        // Whatever the launcher started must be gone with it.
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        return process.exitValue();
    }

    /** Stops the daemon; a clean SIGTERM shutdown must exit 0. */
    @Override
    public void close() {
        boolean wasStopped = stopped;
        int exit = stop();
        if (!wasStopped && exit != 0) {
            throw new AssertionError("daemon exited with status " + exit + " after SIGTERM (expected 0)"
                + "\n--- console ---\n" + Proc.tail(console(), 4000) + "\n--- log ---\n" + Proc.tail(log(), 8000));
        }
    }

    /** The pid file's raw content. */
    public String pidFileContent() {
        try {
            return Files.readString(pidFile(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new AssertionError("cannot read pid file " + pidFile(), e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
