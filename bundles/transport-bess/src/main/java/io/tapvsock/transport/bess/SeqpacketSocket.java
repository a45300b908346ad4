package io.tapvsock.transport.bess;

import static io.tapvsock.tap.Libc.EAGAIN;
import static io.tapvsock.tap.Libc.EINTR;
import static io.tapvsock.tap.Libc.downcall;
import static io.tapvsock.tap.Libc.errno;
import static io.tapvsock.tap.Libc.errnoCapture;
import static io.tapvsock.tap.Libc.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tapvsock.tap.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * AF_UNIX SOCK_SEQPACKET sockets through the JDK's FFM API (Linux x86_64), which neither the JDK nor Netty offer:
 * a listening socket bound to a path, accept, and a client connect (for tests and tools). Every socket is
 * non-blocking and close-on-exec. Reads and writes are plain read(2)/write(2) on the fd (Netty's
 * {@code FileDescriptor} does them): on SOCK_SEQPACKET each one moves exactly one message, and a read into a
 * buffer shorter than the message gets its start, the rest discarded. Read unix(7) and socket(2).
 *
 * <p>The calls are linked through the tap bundle's {@link io.tapvsock.tap.Libc} (one errno capture per thread);
 * an fd is a plain int that the caller owns, so there is no open/closed state here to share.
 */
final class SeqpacketSocket {

    // Linux x86_64 values (asm-generic and x86 headers).
    private static final int AF_UNIX = 1;
    private static final int SOCK_SEQPACKET = 5;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int ECONNABORTED = 103;
    /** struct sockaddr_un: sa_family_t (2 bytes), then sun_path[108], NUL-terminated. */
    private static final int SOCKADDR_UN_LENGTH = 110;
    private static final int SUN_PATH_OFFSET = 2;
    private static final int MAX_PATH_BYTES = 107;

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = downcall("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private SeqpacketSocket() {
    }

    /**
     * A listening socket bound to {@code path} (which must not exist: bind(2) fails with EADDRINUSE).
     *
     * @return the non-blocking listening fd; the caller closes it and removes the path
     * @throws IOException naming the call and the path, e.g. "bind /tmp/b.sock: Address already in use"
     */
    static int listen(Path path, int backlog) throws IOException {
        int fd = newSocket(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = sockaddr(arena, path);
            if ((int) BIND.invokeExact(errnoCapture(), fd, address, SOCKADDR_UN_LENGTH) < 0) {
                throw new ErrnoException("bind " + path, errno());
            }
            if ((int) LISTEN.invokeExact(errnoCapture(), fd, backlog) < 0) {
                throw new ErrnoException("listen " + path, errno());
            }
            return fd;
        } catch (IOException e) {
            close(fd);
            throw e;
        } catch (Throwable t) {
            close(fd);
            throw rethrow(t);
        }
    }

    /**
     * Takes one pending connection.
     *
     * @return the connection's non-blocking fd (the caller closes it), or -1 when none is pending
     * @throws IOException when accept4(2) fails for another reason (EMFILE: out of descriptors)
     */
    static int accept(int listenFd) throws IOException {
        while (true) {
            int fd;
            try {
                fd = (int) ACCEPT4.invokeExact(errnoCapture(), listenFd, MemorySegment.NULL, MemorySegment.NULL,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (fd >= 0) {
                return fd;
            }
            int errno = errno();
            if (errno == EAGAIN) {
                return -1;
            }
            // A client that left while queued, or a signal: try the next one.
            if (errno != EINTR && errno != ECONNABORTED) {
                throw new ErrnoException("accept4", errno);
            }
        }
    }

    /**
     * A client connection to the listener at {@code path}.
     *
     * @return the connected non-blocking fd; the caller closes it
     * @throws IOException naming the path, e.g. "connect /tmp/b.sock: Connection refused"
     */
    static int connect(Path path) throws IOException {
        int fd = newSocket(path);
        try (Arena arena = Arena.ofConfined()) {
            if ((int) CONNECT.invokeExact(errnoCapture(), fd, sockaddr(arena, path), SOCKADDR_UN_LENGTH) < 0) {
                throw new ErrnoException("connect " + path, errno());
            }
            return fd;
        } catch (IOException e) {
            close(fd);
            throw e;
        } catch (Throwable t) {
            close(fd);
            throw rethrow(t);
        }
    }

    /** close(2); errors are ignored (nothing useful can follow a failed close). */
    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(errnoCapture(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int newSocket(Path path) throws IOException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(errnoCapture(), AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket(AF_UNIX, SOCK_SEQPACKET) for " + path, errno());
        }
        return fd;
    }

    /** A sockaddr_un for {@code path}; the path must fit sun_path with its NUL. */
    private static MemorySegment sockaddr(Arena arena, Path path) throws IOException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH_BYTES) {
            throw new IOException(path + ": a unix socket path holds at most " + MAX_PATH_BYTES + " bytes, this one "
                    + bytes.length);
        }
        MemorySegment address = arena.allocate(SOCKADDR_UN_LENGTH); // zeroed: the NUL comes free
        address.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH_OFFSET, bytes.length);
        return address;
    }
}
