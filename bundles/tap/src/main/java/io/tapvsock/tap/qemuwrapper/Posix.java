package io.tapvsock.tap.qemuwrapper;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tapvsock.tap.ErrnoException;
import io.tapvsock.tap.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The few libc calls the QEMU wrapper needs, through FFM: a unix stream connection whose fd can be handed on,
 * and posix_spawnp with a dup2 file action (the child gets that connection as a chosen fd number), then waitpid.
 * Linux x86_64 (glibc) only. Read posix_spawn(3), posix_spawn_file_actions_adddup2(3), unix(7) and wait(2).
 */
final class Posix {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    /** struct sockaddr_un: sa_family_t, then char sun_path[108]. */
    private static final int SUN_PATH_OFFSET = 2;
    private static final int SUN_PATH_LENGTH = 108;
    /** glibc's posix_spawn_file_actions_t is 80 bytes on x86_64; allocated larger to be safe. */
    private static final int FILE_ACTIONS_SIZE = 128;
    static final int SIGTERM = 15;

    private static final Linker LINKER = Linker.nativeLinker();

    private static final MethodHandle SOCKET = Libc.downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CONNECT = Libc.downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCNTL = Libc.downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle WAITPID = Libc.downcall("waitpid", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle KILL = Libc.downcall("kill", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // The posix_spawn family returns the error number instead of setting errno.
    private static final MethodHandle ACTIONS_INIT = call("posix_spawn_file_actions_init", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_ADDDUP2 = call("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACTIONS_DESTROY = call("posix_spawn_file_actions_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle SPAWNP = call("posix_spawnp",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    /** char **environ: the child gets our environment. */
    private static final MemorySegment ENVIRON = symbol("environ").reinterpret(ADDRESS.byteSize());

    private Posix() {
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor);
    }

    /**
     * Connects a unix stream socket to path; returns its fd (close-on-exec, numbered 10 or above so that no
     * dup2 onto a low number can ever be a no-op that leaves close-on-exec set).
     */
    static int connectUnix(String path) throws IOException {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SUN_PATH_LENGTH) {
            throw new IOException(path + ": a unix socket path must be shorter than " + SUN_PATH_LENGTH + " bytes");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Libc.errnoCapture();
            int fd = (int) SOCKET.invokeExact(capture, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("socket", Libc.errno());
            }
            try {
                MemorySegment address = arena.allocate(SUN_PATH_OFFSET + SUN_PATH_LENGTH);
                address.set(JAVA_SHORT, 0, (short) AF_UNIX);
                MemorySegment.copy(bytes, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, bytes.length);
                if ((int) CONNECT.invokeExact(capture, fd, address, (int) address.byteSize()) < 0) {
                    throw new ErrnoException("connect " + path, Libc.errno());
                }
                int high = (int) FCNTL.invokeExact(capture, fd, F_DUPFD_CLOEXEC, 10);
                if (high < 0) {
                    throw new ErrnoException("fcntl", Libc.errno());
                }
                return high;
            } finally {
                int ignored = (int) CLOSE.invokeExact(capture, fd);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Starts program (searched in PATH) with args (args[0] is the program's name) and our environment; the child
     * gets {@code fd} as {@code childFd}.
     *
     * @return the child's pid
     */
    static int spawn(List<String> args, int fd, int childFd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            check("posix_spawn_file_actions_init", (int) ACTIONS_INIT.invokeExact(actions));
            try {
                check("posix_spawn_file_actions_adddup2", (int) ACTIONS_ADDDUP2.invokeExact(actions, fd, childFd));
                MemorySegment argv = arena.allocate(ADDRESS, args.size() + 1);
                for (int i = 0; i < args.size(); i++) {
                    argv.setAtIndex(ADDRESS, i, arena.allocateFrom(args.get(i)));
                }
                argv.setAtIndex(ADDRESS, args.size(), MemorySegment.NULL);
                MemorySegment pid = arena.allocate(JAVA_INT);
                MemorySegment environment = ENVIRON.get(ADDRESS, 0);
                int error = (int) SPAWNP.invokeExact(pid, argv.getAtIndex(ADDRESS, 0), actions, MemorySegment.NULL,
                        argv, environment);
                if (error != 0) {
                    throw new ErrnoException("cannot start " + args.get(0), error);
                }
                return pid.get(JAVA_INT, 0);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Waits for the child to end; returns its exit status, or 128 + the signal that killed it (as a shell). */
    static int waitFor(int pid) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = Libc.errnoCapture();
            MemorySegment status = arena.allocate(JAVA_INT);
            while (true) {
                int result = (int) WAITPID.invokeExact(capture, pid, status, 0);
                if (result == pid) {
                    int raw = status.get(JAVA_INT, 0);
                    int signal = raw & 0x7f;
                    return signal == 0 ? (raw >> 8) & 0xff : 128 + signal;
                }
                if (Libc.errno() != Libc.EINTR) {
                    throw new ErrnoException("waitpid " + pid, Libc.errno());
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Sends a signal; a child that already ended is not an error. */
    static void kill(int pid, int signal) {
        try {
            int ignored = (int) KILL.invokeExact(Libc.errnoCapture(), pid, signal);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(Libc.errnoCapture(), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void check(String what, int error) throws IOException {
        if (error != 0) {
            throw new ErrnoException(what, error);
        }
    }
}
