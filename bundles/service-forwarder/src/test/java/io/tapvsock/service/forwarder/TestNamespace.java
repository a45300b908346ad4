package io.tapvsock.service.forwarder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** A network namespace made for one test ({@code ip netns add tvfwd-<random>}) and deleted by close(). */
final class TestNamespace implements AutoCloseable {

    /** What a command printed and how it exited. */
    record Result(int exitCode, String output) {
    }

    private final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    static TestNamespace create() throws IOException, InterruptedException {
        String name = "tvfwd-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Result result = run(List.of("ip", "netns", "add", name));
        if (result.exitCode() != 0) {
            throw new IOException("ip netns add " + name + " failed: " + result.output());
        }
        return new TestNamespace(name);
    }

    Path path() {
        return Path.of("/var/run/netns", name);
    }

    /** {@code ip -n NAME args...}: stdout and stderr, whatever the exit status. */
    String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return run(command).output();
    }

    /** {@code ip netns exec NAME command...}, waited for (at most a minute). */
    Result exec(String... command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(List.of(command));
        return run(full);
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Read before waiting: a full pipe would block the command.
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Result result = run(List.of("ip", "netns", "del", name));
        if (result.exitCode() != 0) {
            throw new IOException("ip netns del " + name + " failed: " + result.output());
        }
    }
}
