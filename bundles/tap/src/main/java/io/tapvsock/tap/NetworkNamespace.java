package io.tapvsock.tap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Runs short setup work inside another network namespace (a path such as /var/run/netns/NAME).
 *
 * <p>setns(2) with CLONE_NEWNET moves only the calling thread, and a TAP or socket belongs to the namespace it
 * was opened in for the rest of its life. So a dedicated platform thread enters the namespace, runs the task,
 * and switches back through an fd of its own original namespace that it saved first; no other thread of the
 * JVM ever changes namespace. Threads the task starts would inherit the namespace: tasks should not start any.
 */
public final class NetworkNamespace {

    private static final System.Logger LOG = System.getLogger(NetworkNamespace.class.getName());
    private static final String OWN_NAMESPACE = "/proc/thread-self/ns/net";

    private NetworkNamespace() {
    }

    /**
     * Runs task inside namespace on a dedicated platform thread and returns its result; waits for it even when
     * the calling thread is interrupted (the work is short and must not be abandoned half done).
     *
     * @throws IOException what the task threw, or why entering the namespace failed (naming the path)
     */
    public static <T> T call(Path namespace, IoCallable<T> task) throws IOException {
        var outcome = new Object() {
            T value;
            Throwable failure;
        };
        Thread worker = Thread.ofPlatform().name("tapvsock-netns").daemon(true).unstarted(() -> {
            try {
                outcome.value = callOnThisThread(namespace, task);
            } catch (Throwable t) {
                outcome.failure = t;
            }
        });
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        // join() orders the worker's writes before these reads.
        return switch (outcome.failure) {
            case null -> outcome.value;
            case IOException io -> throw io;
            case UncheckedIOException unchecked -> throw unchecked.getCause();
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> throw new IOException(outcome.failure);
        };
    }

    /** Whether an interface of that name exists in the calling thread's network namespace. */
    public static boolean hasInterface(String name) {
        return Libc.ifNameToIndex(name) != 0;
    }

    private static <T> T callOnThisThread(Path namespace, IoCallable<T> task) throws IOException {
        int own = Libc.open(OWN_NAMESPACE, Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (own < 0) {
            throw new ErrnoException("open " + OWN_NAMESPACE, Libc.errno());
        }
        try {
            enter(namespace);
            try {
                return task.call();
            } finally {
                if (Libc.setns(own, Libc.CLONE_NEWNET) < 0) {
                    // Harmless for the result: this thread ends right after and nothing else runs on it.
                    LOG.log(System.Logger.Level.WARNING, "setns back from {0}: {1}", namespace,
                            Libc.strerror(Libc.errno()));
                }
            }
        } finally {
            Libc.close(own);
        }
    }

    private static void enter(Path namespace) throws IOException {
        int target = Libc.open(namespace.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (target < 0) {
            throw new ErrnoException("open network namespace " + namespace, Libc.errno());
        }
        try {
            if (Libc.setns(target, Libc.CLONE_NEWNET) < 0) {
                throw new ErrnoException("setns " + namespace, Libc.errno());
            }
        } finally {
            Libc.close(target);
        }
    }
}
