package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs short external commands with a deadline and captures their output. */
public final class Proc {
    private Proc() {
    }

    /** What a finished command printed and returned. */
    public record Result(List<String> command, int exit, String stdout, String stderr) {
        /** Fails with the whole transcript unless the exit status is 0. */
        public Result requireSuccess() {
            if (exit != 0) {
                throw new AssertionError(describe());
            }
            return this;
        }

        /** The command, its exit status and its output, for failure messages. */
        public String describe() {
            return "command " + command + " exited " + exit + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n"
                + stderr;
        }
    }

    /** Runs {@code command} with stdin from {@code /dev/null}; kills it after {@code timeout}. */
    public static Result run(Duration timeout, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
            Path.of("/dev/null").toFile()));
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        // Both pipes are drained concurrently so a chatty command cannot block on a full pipe.
        CompletableFuture<String> out = drain(process.getInputStream());
        CompletableFuture<String> err = drain(process.getErrorStream());
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                killTree(process.toHandle());
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("command timed out after " + timeout + ": " + command
                    + "\n--- stdout ---\n" + out.getNow("") + "\n--- stderr ---\n" + err.getNow(""));
            }
            return new Result(command, process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            killTree(process.toHandle());
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + command, e);
        }
    }

    /** Varargs form of {@link #run(Duration, List)}. */
    public static Result run(Duration timeout, String... command) {
        return run(timeout, List.of(command));
    }

    /** Starts a long-running command with stdout and stderr appended to {@code log}. */
    public static Process start(List<String> command, Path log) {
        try {
            Files.createDirectories(log.getParent());
            return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Kills a process we started and everything it started, forcibly. */
    public static void killTree(ProcessHandle handle) {
        handle.descendants().forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
    }

    /** The file's content, or a note when it cannot be read (for failure messages). */
    public static String readQuietly(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    /** The last {@code maxChars} characters of {@code text}. */
    public static String tail(String text, int maxChars) {
        return text.length() <= maxChars ? text : "..." + text.substring(text.length() - maxChars);
    }

    private static CompletableFuture<String> drain(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(read failed: " + e + ")";
            }
        }, runnable -> Thread.ofVirtual().start(runnable));
    }
}
