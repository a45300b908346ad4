package io.tapvsock.tap;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * libc through FFM downcalls (Linux x86_64 only). Every call captures errno into a per-thread segment right after
 * it returns, so {@link #errno()} reads it like C's errno: valid until the next call on the same thread. Methods
 * return the raw libc result (-1 on failure); callers turn failures into {@link ErrnoException}s that name what
 * failed.
 *
 * <p>The package's own calls (TAP, namespaces) are package-private wrappers here. Other code of the bundle links
 * its own functions with {@link #downcall} and passes {@link #errnoCapture()} as their first argument, so there is
 * one errno capture for the whole bundle.
 *
 * <p>read/write take the buffer as a raw address ({@code long}): a pointer is an INTEGER-class argument on
 * x86_64, and it spares the hot path a MemorySegment slice per frame. Callers check bounds and liveness.
 */
@SuppressWarnings("restricted") // native access is this class's job; the JVM needs --enable-native-access
public final class Libc {

    // Linux x86_64 values (asm-generic and x86 headers).
    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int EFD_CLOEXEC = 0x80000;

    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    static final int ENODEV = 19;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** One capture segment per thread, alive as long as the thread uses it (auto arena). */
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle IOCTL = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle IF_NAMETOINDEX = downcall("if_nametoindex",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            symbol("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private Libc() {
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    /**
     * Links the libc function name so that it captures errno: the handle takes {@link #errnoCapture()} as an
     * extra first argument, before those of descriptor.
     *
     * @param extra more linker options, e.g. {@code firstVariadicArg} for a variadic function
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... extra) {
        Linker.Option[] options = new Linker.Option[extra.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(extra, 0, options, 1, extra.length);
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /** The current thread's errno capture segment: the first argument of every {@link #downcall} handle. */
    public static MemorySegment errnoCapture() {
        return CAPTURE.get();
    }

    /** The errno left by the last {@link #downcall} on the current thread. */
    public static int errno() {
        return (int) ERRNO.get(CAPTURE.get(), 0L);
    }

    /** The C library's text for an errno value ("Operation not permitted"). */
    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int open(String path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(CAPTURE.get(), arena.allocateFrom(path), flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(CAPTURE.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long read(int fd, long address, long count) {
        try {
            return (long) READ.invokeExact(CAPTURE.get(), fd, address, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long write(int fd, long address, long count) {
        try {
            return (long) WRITE.invokeExact(CAPTURE.get(), fd, address, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(CAPTURE.get(), fd, request, argument);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int socket(int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(CAPTURE.get(), domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setns(2): moves the calling thread only into the namespace behind fd. */
    static int setns(int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(CAPTURE.get(), fd, nstype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int eventfd(int initialValue, int flags) {
        try {
            return (int) EVENTFD.invokeExact(CAPTURE.get(), initialValue, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) over an array of struct pollfd {int fd; short events; short revents;} (8 bytes each). */
    static int poll(MemorySegment pollfds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(CAPTURE.get(), pollfds, count, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The interface index of name in the calling thread's network namespace, 0 when there is none. */
    static int ifNameToIndex(String name) {
        try (Arena arena = Arena.ofConfined()) {
            return (int) IF_NAMETOINDEX.invokeExact(CAPTURE.get(), arena.allocateFrom(name));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Throws what a downcall's invokeExact threw: unchecked as it is, anything else wrapped. Declared to return
     * so that callers can write {@code throw rethrow(t)}.
     */
    public static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("downcall failed", t);
    }
}
