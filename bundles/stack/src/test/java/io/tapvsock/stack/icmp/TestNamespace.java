package io.tapvsock.stack.icmp;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made for one test (lo up, sysctls of the test's choosing), deleted on close; and an
 * {@link IcmpSocketOpener} that opens its sockets inside it, from a platform thread that entered the namespace
 * with setns(2) (a socket belongs to the namespace it was opened in, whichever thread uses it later).
 */
final class TestNamespace implements IcmpSocketOpener, AutoCloseable {

    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    @SuppressWarnings("restricted")
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), Linker.Option.firstVariadicArg(2));
    @SuppressWarnings("restricted")
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    final String name;
    private final ExecutorService inside = Executors.newSingleThreadExecutor(
            task -> Thread.ofPlatform().name("icmp-test-netns").daemon(true).unstarted(task));

    TestNamespace(String name, String... sysctls) throws Exception {
        this.name = name;
        run("ip", "netns", "add", name);
        try {
            run("ip", "-n", name, "link", "set", "lo", "up");
            for (String sysctl : sysctls) {
                run("ip", "netns", "exec", name, "sysctl", "-q", "-w", sysctl);
            }
            inside.submit(() -> enter(name)).get(10, TimeUnit.SECONDS);
        } catch (Throwable t) {
            close();
            throw t;
        }
    }

    /** Moves the calling thread (only) into the namespace. */
    private static Void enter(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(arena.allocateFrom("/var/run/netns/" + name), O_RDONLY_CLOEXEC);
            if (fd < 0) {
                throw new IOException("cannot open network namespace " + name);
            }
            int entered = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
            IcmpSyscalls.close(fd);
            if (entered < 0) {
                throw new IOException("cannot enter network namespace " + name);
            }
            return null;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    @Override
    public int open(IcmpSocketKind kind) {
        try {
            return inside.submit(() -> SYSTEM.open(kind)).get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws Exception {
        inside.shutdownNow();
        inside.awaitTermination(10, TimeUnit.SECONDS);
        run("ip", "netns", "del", name);
    }

    static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
