package io.tapvsock.stack.icmp;

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
 * The libc calls ICMP forwarding needs (socket, sendto, recvfrom, setsockopt, close), as FFM downcalls for Linux
 * x86_64. Each call captures errno right after it returns, per thread, so {@link #errno()} reads it like C's
 * errno. Methods return the raw libc result (-1 on failure). The stack must not depend on the tap bundle, which
 * has calls of its own like these.
 */
@SuppressWarnings("restricted") // native access is this class's job; the JVM needs --enable-native-access
final class IcmpSyscalls {

    // Linux x86_64 values (asm-generic, x86 and netinet headers).
    static final int AF_INET = 2;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_ICMP = 1;
    static final int IP_TTL = 2;
    static final int SOL_RAW = 255;
    static final int ICMP_FILTER = 1;

    static final int EPERM = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EAFNOSUPPORT = 97;
    static final int EPROTONOSUPPORT = 93;

    /** struct sockaddr_in: family (host order), port and address (network order), 8 bytes of zeros. */
    static final int SOCKADDR_IN_LENGTH = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle SOCKET = errnoCall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle CLOSE = errnoCall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDTO = errnoCall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVFROM = errnoCall("recvfrom",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = errnoCall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            symbol("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private IcmpSyscalls() {
    }

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    private static MethodHandle errnoCall(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(symbol(name), descriptor, CAPTURE_ERRNO);
    }

    /** The errno left by the last call of this class on the current thread. */
    static int errno() {
        return (int) ERRNO.get(CAPTURE.get(), 0L);
    }

    /** The C library's text for an errno value ("Permission denied"). */
    static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
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

    static int close(int fd) {
        try {
            return (int) CLOSE.invokeExact(CAPTURE.get(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @param address a struct sockaddr_in of {@link #SOCKADDR_IN_LENGTH} bytes */
    static long sendto(int fd, MemorySegment data, long length, int flags, MemorySegment address) {
        try {
            return (long) SENDTO.invokeExact(CAPTURE.get(), fd, data, length, flags, address, SOCKADDR_IN_LENGTH);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * @param address receives the sender's struct sockaddr_in
     * @param addressLength an int holding the room in {@code address} (set to {@link #SOCKADDR_IN_LENGTH} first)
     */
    static long recvfrom(int fd, MemorySegment data, long length, int flags, MemorySegment address,
            MemorySegment addressLength) {
        try {
            return (long) RECVFROM.invokeExact(CAPTURE.get(), fd, data, length, flags, address, addressLength);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt with an int value. */
    static int setIntOption(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment option = arena.allocateFrom(JAVA_INT, value);
            return (int) SETSOCKOPT.invokeExact(CAPTURE.get(), fd, level, name, option, 4);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (t instanceof Error error) {
            throw error;
        }
        throw new IllegalStateException("downcall failed", t);
    }
}
