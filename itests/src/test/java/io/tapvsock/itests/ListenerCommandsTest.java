package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Listeners opened and closed from the shell at runtime (issue 4, item 9): {@code tapvsock:listen} makes the
 * factory configuration and the bundle opens the listener; {@code tapvsock:configs} lists it next to the ones
 * the flags made; {@code tapvsock:unlisten} deletes it and the listener closes (its socket file goes); the
 * flag's listener is untouched throughout.
 */
class ListenerCommandsTest {
    private static final Duration APPLY = Duration.ofSeconds(60);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void listenConfigsUnlisten() throws Exception {
        Daemon daemon = harness.daemon(Require.dist(), List.of());
        Path second = harness.workDir().resolve("second.sock");
        String url = "unix://" + second;

        String opened = daemon.exec("tapvsock:listen qemu " + url);
        assertTrue(opened.contains("configured qemu " + url), opened);
        awaitFile(second, Files::exists, "the second listener's socket");
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(second))) {
            assertTrue(client.isConnected(), "a client connects to the listener the command opened");
        }

        String configs = daemon.exec("tapvsock:configs");
        assertTrue(configs.contains("qemu " + url), configs);
        assertTrue(configs.contains("qemu unix://" + daemon.qemuSocket()), "the flag's listener: " + configs);

        String refused = execFailure(daemon, "tapvsock:listen qemu " + url);
        assertTrue(refused.contains("already has a configuration"), refused);
        String unknown = execFailure(daemon, "tapvsock:listen floppy " + url);
        assertTrue(unknown.contains("unknown listener kind"), unknown);

        String closed = daemon.exec("tapvsock:unlisten qemu " + url);
        assertTrue(closed.contains("deleted qemu " + url), closed);
        awaitFile(second, Files::notExists, "the second listener's socket to go");
        assertTrue(Files.exists(daemon.qemuSocket()), "the flag's listener stays");
        assertEquals(false, daemon.exec("tapvsock:configs").contains(url));
    }

    /** Runs a shell command that must fail; returns what it printed. */
    private static String execFailure(Daemon daemon, String command) {
        Proc.Result result = Proc.run(Duration.ofSeconds(60), daemon.home().resolve("bin/gvproxy").toString(),
            "-exec", command, "-pid", Long.toString(daemon.process().pid()));
        assertTrue(result.exit() != 0, "should fail: " + result.describe());
        return result.stdout() + result.stderr();
    }

    private static void awaitFile(Path file, Predicate<Path> condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + APPLY.toNanos();
        while (!condition.test(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + APPLY);
            }
            Thread.sleep(100);
        }
    }
}
