package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.CfgFile;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.RawQemuClient;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hot install of a transport shipped outside the default bundle set (issue 4, item 8): the vfkit transport
 * lives in the distribution's extras/. Its configuration is written first, while nothing serves it; copying the
 * jar into bundle/ while the daemon runs installs and starts it, and the listener opens from the waiting
 * configuration; a vfkit client then gets ARP answers. Removing the jar closes the listener (socket file gone),
 * and the qemu transport serves its client throughout.
 */
class VfkitHotInstallTest {
    private static final Duration APPLY = Duration.ofSeconds(60);
    private static final String BUNDLE_NAME = "tapvsock transport vfkit";

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void copiedInTheTransportServesItsWaitingConfiguration_removedItClosesCleanly() throws Exception {
        Path home = harness.distCopy();
        Path extra = home.resolve("extras/tapvsock-transport-vfkit.jar");
        Require.that(Files.exists(extra), "the distribution has no " + extra);
        Daemon daemon = harness.daemon(home, List.of());
        assertFalse(daemon.exec("lb").contains(BUNDLE_NAME), "vfkit is not in the default bundle set");
        RawQemuClient qemu = harness.register(RawQemuClient.connect(daemon.qemuSocket(), Frames.mac("5a:94:ef:e4:0c:01"),
            Frames.ipv4("192.168.127.20"), Frames.ipv4("192.168.127.1"), APPLY).client());

        Path socket = harness.workDir().resolve("v.sock");
        CfgFile.write(home.resolve("config/io.tapvsock.transport.vfkit-hot.cfg"),
            Map.of("listen", "unixgram://" + socket));

        Path staged = harness.workDir().resolve("vfkit.jar");
        Files.copy(extra, staged);
        Path deployed = home.resolve("bundle/tapvsock-transport-vfkit.jar");
        Files.move(staged, deployed, StandardCopyOption.ATOMIC_MOVE);
        awaitFile(socket, Files::exists, "the vfkit socket after the jar was copied into bundle/");
        assertTrue(daemon.exec("tapvsock:vfkit").contains("unixgram://" + socket));

        Proc.Result client = Proc.run(Duration.ofSeconds(30), Require.executable("python3").toString(),
            script("vfkit_client.py"), socket.toString(), harness.workDir().resolve("client.sock").toString());
        assertEquals("arp-reply", client.stdout().trim(), client.describe());
        assertTrue(qemu.probe(), "the qemu client still gets answers");

        Files.delete(deployed);
        awaitFile(socket, Files::notExists, "the vfkit socket to go after the jar was removed");
        assertFalse(daemon.exec("lb").contains(BUNDLE_NAME));
        assertTrue(qemu.probe(), "the qemu client still gets answers after the vfkit bundle left");
    }

    private String script(String name) throws IOException {
        Path target = harness.workDir().resolve(name);
        try (InputStream in = VfkitHotInstallTest.class.getResourceAsStream("/vfkit/" + name)) {
            assertNotNull(in, "missing test resource vfkit/" + name);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toString();
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
