package io.tapvsock.transport.vsock.impl;

import static io.tapvsock.tap.Libc.downcall;
import static io.tapvsock.tap.Libc.errno;
import static io.tapvsock.tap.Libc.errnoCapture;
import static io.tapvsock.tap.Libc.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.tapvsock.tap.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A connected pair of AF_UNIX stream sockets (socketpair(2), through the JDK's FFM API, which the distribution
 * enables for bundles; linked with the tap bundle's {@link io.tapvsock.tap.Libc}): the first end non-blocking, for
 * a Netty channel on the network loop, the second blocking, for threads that copy between it and a plain file
 * descriptor such as stdin. Both close on exec.
 *
 * @param nonBlocking the end for the network loop
 * @param blocking    the end for blocking threads
 */
record UnixSocketPair(int nonBlocking, int blocking) {

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int O_NONBLOCK = 0x800;

    private static final MethodHandle SOCKETPAIR = downcall("socketpair",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    /** fcntl is variadic: its third argument is the first variadic one. */
    private static final MethodHandle FCNTL = downcall("fcntl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** @throws IOException with the C library's words when the kernel refuses */
    static UnixSocketPair open() throws IOException {
        UnixSocketPair pair;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if ((int) SOCKETPAIR.invokeExact(errnoCapture(), AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
                throw new ErrnoException("socketpair AF_UNIX", errno());
            }
            pair = new UnixSocketPair(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
        try {
            int flags = (int) FCNTL.invokeExact(errnoCapture(), pair.nonBlocking, F_GETFL, 0);
            if (flags < 0 || (int) FCNTL.invokeExact(errnoCapture(), pair.nonBlocking, F_SETFL,
                    flags | O_NONBLOCK) < 0) {
                throw new ErrnoException("fcntl O_NONBLOCK", errno());
            }
            return pair;
        } catch (Throwable t) {
            pair.close(); // neither end was handed out yet
            if (t instanceof IOException e) {
                throw e;
            }
            throw rethrow(t);
        }
    }

    private void close() {
        try {
            int ignored = (int) CLOSE.invokeExact(errnoCapture(), nonBlocking);
            ignored = (int) CLOSE.invokeExact(errnoCapture(), blocking);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
