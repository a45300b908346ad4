package io.tapvsock.transport.vsock.impl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * A connected pair of AF_UNIX stream sockets (socketpair(2), through the JDK's FFM API, which the distribution
 * enables for bundles): the first end non-blocking, for a Netty channel on the network loop, the second
 * blocking, for threads that copy between it and a plain file descriptor such as stdin. Both close on exec.
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

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_VALUE = Linker.Option.captureStateLayout()
            .varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKETPAIR = LINKER.downcallHandle(
            LINKER.defaultLookup().find("socketpair").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), ERRNO);
    /** fcntl is variadic: its third argument is the first variadic one. */
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO, Linker.Option.firstVariadicArg(2));

    /** @throws IOException with the errno when the kernel refuses */
    static UnixSocketPair open() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) SOCKETPAIR.invokeExact(errno, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            check(result, "socketpair", errno);
            UnixSocketPair pair = new UnixSocketPair(fds.getAtIndex(JAVA_INT, 0), fds.getAtIndex(JAVA_INT, 1));
            int flags = (int) FCNTL.invokeExact(errno, pair.nonBlocking, F_GETFL, 0);
            check(flags, "fcntl(F_GETFL)", errno);
            check((int) FCNTL.invokeExact(errno, pair.nonBlocking, F_SETFL, flags | O_NONBLOCK), "fcntl(F_SETFL)",
                    errno);
            return pair;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException("socketpair: " + e, e);
        }
    }

    private static void check(int result, String call, MemorySegment errno) throws IOException {
        if (result < 0) {
            throw new IOException(call + " failed: errno " + (int) ERRNO_VALUE.get(errno, 0L));
        }
    }
}
