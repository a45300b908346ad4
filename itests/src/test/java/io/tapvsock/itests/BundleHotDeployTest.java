package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The distribution's {@code bundle/} is watched (issue 2, case d): a bundle jar copied in while the daemon runs
 * is installed and started, and removing it uninstalls it. Checked with the Gogo command {@code lb} through
 * {@code gvproxy -exec}.
 */
class BundleHotDeployTest {
    private static final String NAME = "tapvsock itests hot deploy";
    private static final Duration APPLY = Duration.ofSeconds(60);

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void jarCopiedIntoBundleDirIsStartedAndRemovalUninstallsIt() throws IOException {
        Path home = harness.distCopy();
        Path bundleDir = home.resolve("bundle");
        Require.that(Files.isDirectory(bundleDir), "the distribution has no bundle/ directory");
        Daemon daemon = harness.daemon(home, List.of());
        String before = daemon.exec("lb");
        assertTrue(!before.contains(NAME), before);

        // Built outside bundle/ and moved in, so the watcher never sees a half-written jar.
        Path jar = harness.workDir().resolve("hello.jar");
        writeBundle(jar);
        Path deployed = bundleDir.resolve("io.tapvsock.itests.hello-1.0.0.jar");
        Files.move(jar, deployed, StandardCopyOption.ATOMIC_MOVE);
        String listed = awaitLb(daemon, out -> out.lines().anyMatch(l -> l.contains(NAME) && l.contains("Active")));
        assertTrue(listed.contains(NAME), listed);

        Files.delete(deployed);
        awaitLb(daemon, out -> !out.contains(NAME));
    }

    /** A minimal bundle: a manifest and one resource, no code, so it starts to ACTIVE at once. */
    static void writeBundle(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.tapvsock.itests.hello");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Name", NAME);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file,
            manifest)) {
            out.putNextEntry(new java.util.jar.JarEntry("hello.txt"));
            out.write("hello from the itests\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
    }

    private static String awaitLb(Daemon daemon, Predicate<String> wanted) {
        long deadline = System.nanoTime() + APPLY.toNanos();
        String out = daemon.exec("lb");
        while (!wanted.test(out)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("bundle/ change not applied within " + APPLY + "; lb says:\n" + out);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            out = daemon.exec("lb");
        }
        return out;
    }
}
