package io.tapvsock.itests.harness;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace named {@code tv-<random>} that this test created, with {@code lo} up. Commands run in it
 * with {@code ip netns exec}; background processes started in it are killed before it is deleted.
 */
public final class NetNs implements AutoCloseable {
    private final String name;
    private final Path logDir;
    private final List<Process> processes = new ArrayList<>();

    private NetNs(String name, Path logDir) {
        this.name = name;
        this.logDir = logDir;
    }

    /** Creates the namespace and brings its loopback up. Needs root and {@code ip}. */
    public static NetNs create(Path logDir) {
        Require.root();
        String ip = Require.executable("ip").toString();
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        String name = "tv-" + HexFormat.of().formatHex(random);
        Proc.run(Duration.ofSeconds(20), ip, "netns", "add", name).requireSuccess();
        NetNs ns = new NetNs(name, logDir);
        try {
            ns.exec(Duration.ofSeconds(20), ip, "link", "set", "lo", "up").requireSuccess();
        } catch (RuntimeException | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The namespace's name. */
    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace and waits for it. */
    public Proc.Result exec(Duration timeout, String... command) {
        return Proc.run(timeout, wrap(List.of(command)));
    }

    /** Runs a {@code sh -c} script inside the namespace and waits for it. */
    public Proc.Result sh(Duration timeout, String script) {
        return exec(timeout, "sh", "-c", script);
    }

    /** Starts a background process in the namespace; its output goes to {@code <logName>.log}. */
    public Process start(String logName, List<String> command) {
        Process process = Proc.start(wrap(command), logFile(logName));
        processes.add(process);
        return process;
    }

    /** The output file of a background process started with {@link #start}. */
    public Path logFile(String logName) {
        return logDir.resolve(name + "-" + logName + ".log");
    }

    private List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", name));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Kills our background processes, then deletes the namespace. */
    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    Proc.killTree(process.toHandle());
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Proc.Result deleted = Proc.run(Duration.ofSeconds(20), "ip", "netns", "del", name);
        if (deleted.exit() != 0) {
            throw new AssertionError("cannot delete namespace " + name + ": " + deleted.describe());
        }
    }
}
