package io.tapvsock.itests.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A User Mode Linux guest (Debian's {@code linux.uml}) whose one NIC, {@code vec0}, is a bess connection
 * (SOCK_SEQPACKET, one frame per message) to the daemon's {@code -listen-bess} socket. The host's own file system
 * is its root (hostfs, read-only), so the init script and the udhcpc script live in the test's work directory and
 * the host's binaries run in it; the guest's network tools are busybox's. The test supplies the body of the init
 * script, which talks back through marker lines on the console ({@link #await}); the guest powers off after the
 * body, and {@link #close} always kills UML and its helper processes.
 *
 * <p>Found by trying it here: UML connects to the socket when {@code vec0} is brought up, and leaves when it
 * halts; mounting a tmpfs over /tmp inside the guest would hide the work directory, so nothing is mounted there.
 */
public final class UmlGuest implements AutoCloseable {
    /** The guest MAC that the daemon's static lease maps to 192.168.127.2. */
    public static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private int cursor;
    private boolean exited;

    private UmlGuest(Process process) {
        this.process = process;
        Thread.ofVirtual().name("uml-console").start(this::readConsole);
    }

    /**
     * Boots UML with {@code vec0} on the bess socket {@code bessSocket}; its init brings up lo and {@code vec0},
     * prints {@code MARK booted <mac>}, then runs {@code initBody}, in which {@code $B} is busybox and
     * {@code $UDHCPC_SCRIPT} the udhcpc event script ({@link Lease#SCRIPT}). Needs linux.uml and busybox-static.
     */
    public static UmlGuest boot(Path workDir, Path bessSocket, String initBody) {
        Path uml = Require.executable("linux.uml");
        Path busybox = Require.executable("busybox");
        Path dir = workDir.resolve("uml");
        Path init = dir.resolve("init.sh");
        try {
            Files.createDirectories(dir);
            Path udhcpcScript = Lease.writeScript(dir);
            Files.writeString(init, init(busybox, udhcpcScript, initBody));
            Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(uml.toString(),
            "vec0:transport=bess,dst=" + bessSocket + ",depth=128,mac=" + GUEST_MAC,
            "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "init=" + init,
            "mem=128M", "con=null", "con0=fd:0,fd:1", "uml_dir=" + dir);
        try {
            Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .start();
            return new UmlGuest(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** The whole init script: mounts, lo and vec0 up, the test's body, power off. */
    static String init(Path busybox, Path udhcpcScript, String body) {
        return """
            #!/bin/sh
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            B=%s
            UDHCPC_SCRIPT=%s
            $B mount -t proc proc /proc
            $B mount -t sysfs sys /sys
            $B ip link set lo up
            $B ip link set vec0 up
            echo "MARK booted $($B cat /sys/class/net/vec0/address 2>/dev/null)"
            """.formatted(busybox, udhcpcScript) + body + """

            echo "MARK end"
            $B poweroff -f
            """;
    }

    private void readConsole() {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line.replace("\r", ""));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // UML was killed; whatever was read stays in the transcript
        } finally {
            synchronized (this) {
                exited = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for the next console line (after the previous match) that contains a match of {@code pattern};
     * fails with the console transcript if UML exits or the deadline passes first.
     */
    public synchronized Matcher await(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (; cursor < lines.size(); cursor++) {
                Matcher matcher = pattern.matcher(lines.get(cursor));
                if (matcher.find()) {
                    cursor++;
                    return matcher;
                }
            }
            long left = deadline - System.nanoTime();
            if (exited || left <= 0) {
                throw new AssertionError((exited ? "guest console ended" : "timed out after " + timeout)
                    + " waiting for /" + pattern + "/\n--- guest console ---\n" + transcript());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Everything the guest printed so far. */
    public synchronized String transcript() {
        return String.join("\n", lines);
    }

    /** Waits for UML to halt by itself (after the body's end); false if it is still running after {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills UML (it is ours) and the helper processes it started, and waits for it. */
    @Override
    public void close() {
        Proc.killTree(process.toHandle());
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
