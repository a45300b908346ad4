package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Per-test resources and diagnostics, registered with {@code @RegisterExtension}. Everything a test starts
 * (daemons, namespaces, guests, servers) is registered here and closed after the test in reverse order, even
 * when the test fails. A failing test's message gets the diagnostics (daemon log, guest console) appended, so
 * the surefire report says what the product did.
 */
public final class Harness implements BeforeEachCallback, AfterEachCallback, TestExecutionExceptionHandler {
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private Path workDir;
    private boolean failed;

    private record Diagnostic(String title, Supplier<String> text) {
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        // Short paths under /tmp: unix socket paths are limited to 107 bytes.
        workDir = Files.createTempDirectory(Path.of("/tmp"), "tv-");
        failed = false;
    }

    /** A fresh directory for this test, deleted afterwards unless the test failed. */
    public Path workDir() {
        return workDir;
    }

    /** Closes {@code resource} after the test (last registered, first closed) and returns it. */
    public <T extends AutoCloseable> T register(T resource) {
        resources.push(resource);
        return resource;
    }

    /** Text appended to the failure message if the test fails, e.g. a log file's tail. */
    public void diagnostic(String title, Supplier<String> text) {
        diagnostics.add(new Diagnostic(title, text));
    }

    /** Starts the distribution's daemon with the standard flags plus {@code extraFlags}. */
    public Daemon daemon(Path home, List<String> extraFlags) {
        Daemon daemon = register(Daemon.start(home, workDir.resolve("daemon"), extraFlags));
        diagnostic("daemon log " + daemon.logFile(), () -> Proc.tail(daemon.log(), 12_000));
        diagnostic("daemon stdout/stderr", () -> Proc.tail(daemon.console(), 4_000));
        return daemon;
    }

    /** A copy of the distribution for this test, so config and bundle edits never touch the build output. */
    public Path distCopy() {
        return Dist.copy(Require.dist(), workDir.resolve("dist"));
    }

    /** A new network namespace, deleted after the test. */
    public NetNs netns() {
        return register(NetNs.create(workDir));
    }

    /** Echo, sink and source servers on 127.0.0.1, closed after the test. */
    public HostServers hostServers() {
        return register(new HostServers());
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        if (throwable instanceof TestAbortedException) {
            throw throwable; // a skipped prerequisite is not a failure
        }
        failed = true;
        if (diagnostics.isEmpty()) {
            throw throwable;
        }
        StringBuilder message = new StringBuilder(String.valueOf(throwable.getMessage()));
        message.append("\n(work directory kept: ").append(workDir).append(')');
        for (Diagnostic diagnostic : diagnostics) {
            String text;
            try {
                text = diagnostic.text().get();
            } catch (RuntimeException e) {
                text = "(unavailable: " + e + ")";
            }
            message.append("\n===== ").append(diagnostic.title()).append(" =====\n").append(text);
        }
        AssertionError withDiagnostics = new AssertionError(message.toString(), throwable);
        throw withDiagnostics;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception | AssertionError e) {
                Exception wrapped = e instanceof Exception ex ? ex : new Exception(e.getMessage(), e);
                if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        diagnostics.clear();
        boolean keep = failed || first != null || context.getExecutionException()
            .filter(e -> !(e instanceof TestAbortedException)).isPresent();
        if (!keep) {
            deleteTree(workDir);
        }
        if (first != null && context.getExecutionException().isEmpty()) {
            throw first;
        }
    }

    /** Deletes a directory tree; symlinks are removed, never followed. */
    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
