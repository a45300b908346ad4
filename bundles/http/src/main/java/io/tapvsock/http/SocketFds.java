package io.tapvsock.http;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Method;
import java.nio.channels.SocketChannel;

/**
 * A second file descriptor for the socket behind a JDK SocketChannel, so another owner (Netty) can keep the
 * socket after the channel is closed. The JDK has no public accessor for a channel's fd: it is read through
 * {@code sun.nio.ch.SelChImpl.getFDVal()}, an interface every JDK socket channel implements (stable since Java
 * 1.4), which needs {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}; the launcher passes it. The copy is
 * made with fcntl(F_DUPFD_CLOEXEC) through FFM: see fcntl(2), dup(2), socket(7) for SO_LINGER.
 */
final class SocketFds {

    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle FCNTL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("fcntl").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));

    private static final MethodHandle SETSOCKOPT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("setsockopt").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
            Linker.Option.captureCallState("errno"));
    private static final int SOL_SOCKET = 1;
    private static final int SO_LINGER = 13;

    private SocketFds() {
    }

    /**
     * Sets SO_LINGER on the socket: {@code zero} = on with a 0 s timeout, else off (the default). The JDK shuts
     * a registered channel's socket down for writing when it closes it unless SO_LINGER is on with 0 s (see
     * SocketChannelImpl.implCloseNonBlockingMode), and a shutdown would end the stream for the new owner too:
     * set zero before the JDK channel closes, and off again after.
     */
    static void linger(int fd, boolean zero) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            MemorySegment linger = arena.allocate(8); // struct linger { int l_onoff; int l_linger; }
            linger.set(JAVA_INT, 0, zero ? 1 : 0);
            linger.set(JAVA_INT, 4, 0);
            if ((int) SETSOCKOPT.invokeExact(capture, fd, SOL_SOCKET, SO_LINGER, linger, 8) < 0) {
                throw new IOException("setsockopt(SO_LINGER) on fd " + fd + ": errno " + (int) ERRNO.get(capture, 0L));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setsockopt on fd " + fd + " failed", t);
        }
    }

    /**
     * A new fd (close-on-exec) for channel's socket; the caller owns it. The channel stays as it was.
     *
     * @throws IOException when the fd cannot be read or duplicated, with the reason
     */
    static int duplicate(SocketChannel channel) throws IOException {
        int fd = fdOf(channel);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            int copy = (int) FCNTL.invokeExact(capture, fd, F_DUPFD_CLOEXEC, 0);
            if (copy < 0) {
                throw new IOException("fcntl(F_DUPFD_CLOEXEC) of fd " + fd + ": errno " + (int) ERRNO.get(capture, 0L));
            }
            return copy;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl of fd " + fd + " failed", t);
        }
    }

    private static final MethodHandle CLOSE = LINKER.downcallHandle(
            LINKER.defaultLookup().find("close").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    /** Closes an fd of ours; errors are ignored (nothing is left to do with it). */
    static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing left to do
        }
    }

    private static int fdOf(SocketChannel channel) throws IOException {
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl", false, null);
            Method getFdVal = selChImpl.getMethod("getFDVal");
            return (int) getFdVal.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("cannot read the socket's fd (is --add-exports java.base/sun.nio.ch=ALL-UNNAMED "
                    + "set?): " + e, e);
        }
    }
}
