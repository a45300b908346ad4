package io.tapvsock.itests.harness;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A guest process (QEMU, User Mode Linux) whose console is its stdout: a reader thread keeps every line, and the
 * test waits for marker lines with {@link #await}. {@link #close} always kills the guest.
 */
public abstract class ConsoleGuest implements AutoCloseable {
    /** The guest MAC that the daemon's static lease maps to 192.168.127.2. */
    public static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";

    protected final Process process;
    private final List<String> lines = new ArrayList<>();
    private int cursor;
    private boolean exited;

    /** @param consoleThread the name of the thread that reads the console */
    protected ConsoleGuest(Process process, String consoleThread) {
        this.process = process;
        Thread.ofVirtual().name(consoleThread).start(this::readConsole);
    }

    /**
     * Starts the guest's {@code command} in {@code directory} (null: the current one) with stdin from /dev/null
     * and stderr merged into the console.
     */
    protected static Process start(List<String> command, File directory) {
        try {
            return new ProcessBuilder(command)
                .directory(directory)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
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
            // The guest was killed; whatever was read stays in the transcript
        } finally {
            synchronized (this) {
                exited = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for the next console line (after the previous match) that contains a match of {@code pattern};
     * fails with the console transcript if the guest exits or the deadline passes first.
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

    /** Waits for the guest to halt by itself (after the body's end); false if it still runs after {@code timeout}. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Kills the guest (it is ours) with {@link #kill} and waits for it. */
    @Override
    public void close() {
        kill();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the guest process, and whatever it started that would outlive it. */
    protected abstract void kill();
}
