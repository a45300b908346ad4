package io.tapvsock.itests.harness;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Prerequisites of the integration tests. Outside CI a missing prerequisite skips the test with the reason;
 * with the {@code CI} environment variable set it fails it, so a CI machine can never pass by skipping.
 */
public final class Require {
    private Require() {
    }

    /** True when {@code CI} is set to anything but empty, {@code false} or {@code 0}. */
    public static boolean inCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false") && !ci.equals("0");
    }

    /** Skips (or fails in CI) with {@code reason} unless {@code ok}. */
    public static void that(boolean ok, String reason) {
        if (ok) {
            return;
        }
        if (inCi()) {
            fail("prerequisite missing (CI is set, so this fails instead of skipping): " + reason);
        }
        Assumptions.abort("prerequisite missing: " + reason);
    }

    /** Namespaces, TAP devices and raw ICMP need root. */
    public static void root() {
        that("root".equals(System.getProperty("user.name")) || ProcessHandle.current().info().user()
            .map("root"::equals).orElse(false), "must run as root (network namespaces, TAP devices)");
    }

    /** Returns the absolute path of {@code name} found on PATH (or the standard sbin directories). */
    public static Path executable(String name) {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        that(false, "executable '" + name + "' not found on PATH (.ci/install-test-deps installs it)");
        throw new AssertionError("unreachable");
    }

    /** The assembled distribution ({@code tapvsock.dist}), with its daemon and forwarder. */
    public static Path dist() {
        Path dist = Path.of(System.getProperty("tapvsock.dist", "../launcher/target/dist")).toAbsolutePath()
            .normalize();
        that(Files.isExecutable(dist.resolve("bin/gvproxy")),
            "no distribution at " + dist + " (bin/gvproxy missing: build the launcher module first)");
        return dist;
    }
}
