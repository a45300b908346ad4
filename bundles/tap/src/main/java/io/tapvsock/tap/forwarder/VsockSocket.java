package io.tapvsock.tap.forwarder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tapvsock.tap.ErrnoException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An AF_VSOCK stream socket through FFM (Linux x86_64): what gvforwarder dials for {@code vsock://CID:PORT}.
 * Blocking calls; one thread may read while another writes. {@link #close()} shuts the socket down first,
 * which wakes both, and closes the fd once the last of them has left, so no call ever sees a reused fd number.
 * Read vsock(7) for the address family and {@code struct sockaddr_vm}.
 */
@SuppressWarnings("restricted") // native access is this class's job; the jar says Enable-Native-Access
final class VsockSocket implements Connection {

    // <sys/socket.h>, <linux/vm_sockets.h>, <asm-generic/errno.h>: Linux x86_64 values.
    static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SHUT_RDWR = 2;
    private static final int EINTR = 4;
    /** Any context ID / any port: binds to whatever the kernel picks. */
    static final long VMADDR_CID_ANY = 0xFFFF_FFFFL;
    static final long VMADDR_PORT_ANY = 0xFFFF_FFFFL;
    /**
     * struct sockaddr_vm: sa_family_t svm_family; unsigned short svm_reserved1; unsigned int svm_port;
     * unsigned int svm_cid; __u8 svm_flags; unsigned char svm_zero[3]: 16 bytes, native byte order.
     */
    static final int SOCKADDR_VM_SIZE = 16;
    private static final int SVM_PORT = 4;
    private static final int SVM_CID = 8;
    /** The closed flag in {@link #state}, above any count of threads inside a call. */
    private static final int CLOSED = 1 << 30;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> CAPTURE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle SOCKET = call("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle CONNECT = call("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    private static final MethodHandle BIND = call("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    private static final MethodHandle GETSOCKNAME = call("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS));
    private static final MethodHandle READ = call("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    private static final MethodHandle WRITE = call("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS,
            JAVA_LONG));
    private static final MethodHandle SHUTDOWN = call("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    /** "vsock://CID:PORT" once connected, for messages. */
    private volatile String name = "vsock socket";
    /** Threads inside a call, plus {@link #CLOSED}: the fd is closed when the count is back to zero. */
    private final AtomicInteger state = new AtomicInteger();
    private boolean released;

    private VsockSocket(int fd) {
        this.fd = fd;
    }

    private static MethodHandle call(String function, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(function)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + function));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    private static int errno() {
        return (int) ERRNO.get(CAPTURE.get(), 0L);
    }

    /**
     * socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0).
     *
     * @throws ErrnoException e.g. "socket AF_VSOCK: Address family not supported by protocol" without vsock
     */
    static VsockSocket open() throws IOException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(CAPTURE.get(), AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket AF_VSOCK", errno());
        }
        return new VsockSocket(fd);
    }

    /** Writes a struct sockaddr_vm for cid:port into a fresh segment of arena. */
    static MemorySegment sockaddr(Arena arena, long cid, long port) {
        MemorySegment address = arena.allocate(SOCKADDR_VM_SIZE, 4); // zeroed: reserved, flags, padding
        address.set(JAVA_SHORT, 0, (short) AF_VSOCK);
        address.set(JAVA_INT, SVM_PORT, (int) port);
        address.set(JAVA_INT, SVM_CID, (int) cid);
        return address;
    }

    /** connect(2) to cid:port (blocking; the kernel gives up after its vsock connect timeout). */
    void connect(long cid, long port) throws IOException {
        String target = "vsock://" + cid + ":" + port;
        inCall(true, arena -> {
            int result = (int) CONNECT.invokeExact(CAPTURE.get(), fd, sockaddr(arena, cid, port), SOCKADDR_VM_SIZE);
            if (result < 0) {
                throw new ErrnoException("connect " + target, errno());
            }
            name = target;
            return null;
        });
    }

    /** bind(2) to cid:port; {@link #VMADDR_CID_ANY} and {@link #VMADDR_PORT_ANY} let the kernel choose. */
    void bind(long cid, long port) throws IOException {
        inCall(true, arena -> {
            int result = (int) BIND.invokeExact(CAPTURE.get(), fd, sockaddr(arena, cid, port), SOCKADDR_VM_SIZE);
            if (result < 0) {
                throw new ErrnoException("bind vsock://" + cid + ":" + port, errno());
            }
            return null;
        });
    }

    /** getsockname(2): the local port (the one the kernel picked after binding to any port). */
    long localPort() throws IOException {
        return inCall(true, arena -> {
            MemorySegment address = arena.allocate(SOCKADDR_VM_SIZE, 4);
            MemorySegment length = arena.allocate(JAVA_INT);
            length.set(JAVA_INT, 0, SOCKADDR_VM_SIZE);
            int result = (int) GETSOCKNAME.invokeExact(CAPTURE.get(), fd, address, length);
            if (result < 0) {
                throw new ErrnoException("getsockname " + name, errno());
            }
            if (address.get(JAVA_SHORT, 0) != AF_VSOCK) {
                throw new IOException("getsockname " + name + ": family " + address.get(JAVA_SHORT, 0));
            }
            return Integer.toUnsignedLong(address.get(JAVA_INT, SVM_PORT));
        });
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        // A heap buffer goes through native scratch memory: the kernel needs a stable address.
        return inCall(!dst.isDirect(), arena -> {
            MemorySegment target = arena == null ? MemorySegment.ofBuffer(dst) : arena.allocate(dst.remaining());
            long done;
            do {
                done = (long) READ.invokeExact(CAPTURE.get(), fd, target, target.byteSize());
            } while (done < 0 && errno() == EINTR && !isClosed());
            if (isClosed()) {
                throw new ClosedChannelException(); // woken by close()'s shutdown
            }
            if (done < 0) {
                throw new ErrnoException("read " + name, errno());
            }
            if (done == 0) {
                return -1;
            }
            if (arena != null) {
                dst.put(dst.position(), target.asSlice(0, done).toArray(JAVA_BYTE));
            }
            dst.position(dst.position() + (int) done);
            return (int) done;
        });
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        inCall(!src.isDirect(), arena -> {
            MemorySegment source;
            if (arena == null) {
                source = MemorySegment.ofBuffer(src);
            } else {
                source = arena.allocate(Math.max(1, src.remaining()));
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, source, 0, src.remaining());
            }
            long offset = 0;
            long total = src.remaining();
            while (offset < total) {
                long done = (long) WRITE.invokeExact(CAPTURE.get(), fd, source.asSlice(offset), total - offset);
                if (isClosed()) {
                    throw new ClosedChannelException();
                }
                if (done < 0) {
                    int errno = errno();
                    if (errno == EINTR) {
                        continue;
                    }
                    throw new ErrnoException("write " + name, errno);
                }
                offset += done;
            }
            src.position(src.limit());
            return null;
        });
    }

    /** Downcalls on the fd, given a confined arena (or null when they need no native memory). */
    @FunctionalInterface
    private interface Downcalls<T> {
        T run(Arena arena) throws Throwable;
    }

    /**
     * Runs {@code body} with this thread counted in (the fd stays open until it leaves, see {@link #close()}),
     * with a confined arena if {@code withArena}. What a downcall throws besides IOException goes on unchecked.
     */
    private <T> T inCall(boolean withArena, Downcalls<T> body) throws IOException {
        enter();
        try (Arena arena = withArena ? Arena.ofConfined() : null) {
            return body.run(arena);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            leave();
        }
    }

    private boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    private void enter() throws ClosedChannelException {
        if ((state.incrementAndGet() & CLOSED) != 0) {
            leave();
            throw new ClosedChannelException();
        }
    }

    private void leave() {
        if (state.decrementAndGet() == CLOSED) {
            release();
        }
    }

    /** Closes the fd once: by close() or by the last thread leaving a call after it. */
    private synchronized void release() {
        if (!released) {
            released = true;
            try {
                int ignored = (int) CLOSE.invokeExact(CAPTURE.get(), fd);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        }
    }

    /** Shuts the socket down (waking blocked calls), then closes the fd once no call is inside. Idempotent. */
    @Override
    public void close() {
        // Mark closed and count this thread in, so the fd stays open while it calls shutdown.
        int before = state.getAndUpdate(value -> (value & CLOSED) != 0 ? value : (value | CLOSED) + 1);
        if ((before & CLOSED) != 0) {
            return;
        }
        try {
            int ignored = (int) SHUTDOWN.invokeExact(CAPTURE.get(), fd, SHUT_RDWR); // ENOTCONN when never connected
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            leave();
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

    @Override
    public String toString() {
        return name + (isClosed() ? " (closed)" : " fd " + fd);
    }
}
