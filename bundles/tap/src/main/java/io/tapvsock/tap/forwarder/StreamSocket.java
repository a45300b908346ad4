package io.tapvsock.tap.forwarder;

import static io.tapvsock.tap.Libc.EAGAIN;
import static io.tapvsock.tap.Libc.EINTR;
import static io.tapvsock.tap.Libc.downcall;
import static io.tapvsock.tap.Libc.errno;
import static io.tapvsock.tap.Libc.errnoCapture;
import static io.tapvsock.tap.Libc.rethrow;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.tapvsock.tap.BufferAddressCache;
import io.tapvsock.tap.ErrnoException;
import io.tapvsock.tap.NativeFd;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A stream socket through FFM (Linux x86_64): AF_UNIX, AF_INET, AF_INET6 or AF_VSOCK, connected to the daemon, or
 * one end of a socketpair. The forwarder holds its own fd rather than a JDK channel so that one thread can wait
 * on the socket and the TAP in the same poll(2) ({@link #pollFd()}).
 *
 * <p>{@link #read} and {@link #write} block (connect-time exchanges, tests); {@link #readNow} and
 * {@link #writeNow} never do (MSG_DONTWAIT), for the relay's poll loop. One thread may read while another
 * writes. {@link #close()} shuts the socket down first, which wakes blocked calls and makes poll(2) report it,
 * and closes the fd once the last call inside has left, so no call ever sees a reused fd number. Read socket(7),
 * unix(7), ip(7) and vsock(7) for the address families.
 */
@SuppressWarnings("restricted") // reinterpret of native scratch memory; the jar says Enable-Native-Access
final class StreamSocket implements Connection {

    // <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <linux/vm_sockets.h>, <asm-generic/errno.h>: x86_64 values.
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_VSOCK = 40;
    private static final int SOCK_STREAM = 1;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SHUT_WR = 1;
    private static final int SHUT_RDWR = 2;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int IPPROTO_TCP = 6;
    private static final int TCP_NODELAY = 1;
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
    /** struct sockaddr_un: sa_family_t sun_family; char sun_path[108]. */
    private static final int SOCKADDR_UN_SIZE = 110;
    private static final int SUN_PATH = 2;
    /** struct sockaddr_in (16 bytes) and sockaddr_in6 (28): family, port (big-endian), then the address. */
    private static final int SOCKADDR_IN_SIZE = 16;
    private static final int SOCKADDR_IN6_SIZE = 28;

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle SOCKETPAIR = downcall("socketpair", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS,
            JAVA_INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            ADDRESS, ADDRESS));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = downcall("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG,
            JAVA_LONG, JAVA_INT));
    private static final MethodHandle SHUTDOWN = downcall("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT,
            JAVA_INT));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private final int fd;
    /** "unix:///path", "tcp://host:port", "vsock://CID:PORT" once connected, for messages. */
    private volatile String name;
    /** Open or closed: the fd is closed once the last thread inside a call has left after close(). */
    private final NativeFd state = new NativeFd(this::release);

    /** The native address behind the last direct buffer seen in each direction: saves a lookup per frame. */
    private final BufferAddressCache readAddresses = new BufferAddressCache();
    private final BufferAddressCache writeAddresses = new BufferAddressCache();

    private StreamSocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0).
     *
     * @throws ErrnoException e.g. "socket AF_VSOCK: Address family not supported by protocol" without vsock
     */
    static StreamSocket open(int family) throws IOException {
        int fd;
        try {
            fd = (int) SOCKET.invokeExact(errnoCapture(), family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (fd < 0) {
            throw new ErrnoException("socket " + familyName(family), errno());
        }
        return new StreamSocket(fd, familyName(family) + " socket");
    }

    /** A connected pair of unix stream sockets (socketpair(2)), e.g. to give a pipe pair one pollable fd. */
    static StreamSocket[] pair(String name) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(JAVA_INT, 2);
            int result = (int) SOCKETPAIR.invokeExact(errnoCapture(), AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
            if (result < 0) {
                throw new ErrnoException("socketpair AF_UNIX", errno());
            }
            return new StreamSocket[] {new StreamSocket(fds.getAtIndex(JAVA_INT, 0), name),
                    new StreamSocket(fds.getAtIndex(JAVA_INT, 1), name)};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens a unix socket and connects it to path (blocking). */
    static StreamSocket connectUnix(Path path) throws IOException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= SOCKADDR_UN_SIZE - SUN_PATH) {
            throw new IOException("unix socket path too long (" + bytes.length + " bytes, at most "
                    + (SOCKADDR_UN_SIZE - SUN_PATH - 1) + "): " + path);
        }
        StreamSocket socket = open(AF_UNIX);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_UN_SIZE, 2); // zeroed: the path ends in NUL
            address.set(JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(bytes, 0, address, JAVA_BYTE, SUN_PATH, bytes.length);
            socket.connect(address, "unix://" + path);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Opens a TCP socket, connects it to the resolved address (blocking) and sets TCP_NODELAY. */
    static StreamSocket connectTcp(InetSocketAddress target) throws IOException {
        if (target.isUnresolved()) {
            throw new IOException("cannot resolve " + target.getHostString());
        }
        boolean v6 = target.getAddress() instanceof Inet6Address;
        StreamSocket socket = open(v6 ? AF_INET6 : AF_INET);
        try (Arena arena = Arena.ofConfined()) {
            byte[] ip = target.getAddress().getAddress();
            MemorySegment address = arena.allocate(v6 ? SOCKADDR_IN6_SIZE : SOCKADDR_IN_SIZE, 4);
            address.set(JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
            address.set(JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) target.getPort());
            if (v6) {
                MemorySegment.copy(ip, 0, address, JAVA_BYTE, 8, ip.length); // after flowinfo
                address.set(JAVA_INT, 24, ((Inet6Address) target.getAddress()).getScopeId());
            } else {
                MemorySegment.copy(ip, 0, address, JAVA_BYTE, 4, ip.length);
            }
            socket.connect(address, "tcp://" + (target.getAddress() instanceof Inet4Address
                    ? target.getAddress().getHostAddress() : "[" + target.getAddress().getHostAddress() + "]")
                    + ":" + target.getPort());
            socket.setIntOption(IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY"); // every write is one whole frame
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Opens an AF_VSOCK socket and connects it to cid:port (the kernel gives up after its connect timeout). */
    static StreamSocket connectVsock(long cid, long port) throws IOException {
        StreamSocket socket = open(AF_VSOCK);
        try (Arena arena = Arena.ofConfined()) {
            socket.connect(sockaddrVm(arena, cid, port), "vsock://" + cid + ":" + port);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes a struct sockaddr_vm for cid:port into a fresh segment of arena. */
    static MemorySegment sockaddrVm(Arena arena, long cid, long port) {
        MemorySegment address = arena.allocate(SOCKADDR_VM_SIZE, 4); // zeroed: reserved, flags, padding
        address.set(JAVA_SHORT, 0, (short) AF_VSOCK);
        address.set(JAVA_INT, SVM_PORT, (int) port);
        address.set(JAVA_INT, SVM_CID, (int) cid);
        return address;
    }

    private void connect(MemorySegment address, String target) throws IOException {
        inCall(false, arena -> {
            // No retry on EINTR: a second connect(2) on the same socket answers EALREADY, not the outcome.
            int result = (int) CONNECT.invokeExact(errnoCapture(), fd, address, (int) address.byteSize());
            if (result < 0) {
                throw new ErrnoException("connect " + target, errno());
            }
            name = target;
            return null;
        });
    }

    private void setIntOption(int level, int option, int value, String what) throws IOException {
        inCall(true, arena -> {
            MemorySegment argument = arena.allocateFrom(JAVA_INT, value);
            int result = (int) SETSOCKOPT.invokeExact(errnoCapture(), fd, level, option, argument, Integer.BYTES);
            if (result < 0) {
                throw new ErrnoException("setsockopt " + what + " " + name, errno());
            }
            return null;
        });
    }

    /** bind(2) to cid:port; {@link #VMADDR_CID_ANY} and {@link #VMADDR_PORT_ANY} let the kernel choose. */
    void bindVsock(long cid, long port) throws IOException {
        inCall(true, arena -> {
            int result = (int) BIND.invokeExact(errnoCapture(), fd, sockaddrVm(arena, cid, port), SOCKADDR_VM_SIZE);
            if (result < 0) {
                throw new ErrnoException("bind vsock://" + cid + ":" + port, errno());
            }
            return null;
        });
    }

    /** getsockname(2) of a vsock socket: the local port (the one the kernel picked after binding to any port). */
    long localVsockPort() throws IOException {
        return inCall(true, arena -> {
            MemorySegment address = arena.allocate(SOCKADDR_VM_SIZE, 4);
            MemorySegment length = arena.allocateFrom(JAVA_INT, SOCKADDR_VM_SIZE);
            int result = (int) GETSOCKNAME.invokeExact(errnoCapture(), fd, address, length);
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
    public int pollFd() {
        return fd;
    }

    /** Blocks until something arrives; see {@link Connection#read}. */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return receive(dst, 0);
    }

    @Override
    public int readNow(ByteBuffer dst) throws IOException {
        return receive(dst, MSG_DONTWAIT);
    }

    private int receive(ByteBuffer dst, int flags) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        // A heap buffer goes through native scratch memory: the kernel needs a stable address.
        return inCall(!dst.isDirect(), arena -> {
            int position = dst.position();
            long target = arena == null ? readAddresses.baseAddress(dst) + position
                    : arena.allocate(dst.remaining()).address();
            long done;
            do {
                done = (long) RECV.invokeExact(errnoCapture(), fd, target, (long) dst.remaining(), flags);
            } while (done < 0 && errno() == EINTR && !state.isClosed());
            if (state.isClosed()) {
                throw new ClosedChannelException(); // woken by close()'s shutdown
            }
            if (done < 0) {
                if (errno() == EAGAIN) {
                    return 0;
                }
                throw new ErrnoException("read " + name, errno());
            }
            if (done == 0) {
                return -1;
            }
            if (arena != null) {
                dst.put(position, MemorySegment.ofAddress(target).reinterpret(done).toArray(JAVA_BYTE));
            }
            dst.position(position + (int) done);
            return (int) done;
        });
    }

    /** Writes all of src, blocking while the socket's buffer is full. */
    @Override
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            send(src, 0);
        }
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        return send(src, MSG_DONTWAIT);
    }

    private int send(ByteBuffer src, int flags) throws IOException {
        if (!src.hasRemaining()) {
            return 0;
        }
        return inCall(!src.isDirect(), arena -> {
            int position = src.position();
            long source;
            if (arena == null) {
                source = writeAddresses.baseAddress(src) + position;
            } else {
                MemorySegment copy = arena.allocate(src.remaining());
                MemorySegment.copy(MemorySegment.ofBuffer(src), 0, copy, 0, src.remaining());
                source = copy.address();
            }
            long done;
            do {
                done = (long) SEND.invokeExact(errnoCapture(), fd, source, (long) src.remaining(),
                        flags | MSG_NOSIGNAL);
            } while (done < 0 && errno() == EINTR && !state.isClosed());
            if (state.isClosed()) {
                throw new ClosedChannelException();
            }
            if (done < 0) {
                if (errno() == EAGAIN) {
                    return 0;
                }
                throw new ErrnoException("write " + name, errno());
            }
            src.position(position + (int) done);
            return (int) done;
        });
    }

    /** shutdown(SHUT_WR): the peer reads the end of the stream; reading goes on. */
    void shutdownOutput() throws IOException {
        inCall(false, arena -> {
            int ignored = (int) SHUTDOWN.invokeExact(errnoCapture(), fd, SHUT_WR);
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
        state.enter();
        try (Arena arena = withArena ? Arena.ofConfined() : null) {
            return body.run(arena);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            state.leave();
        }
    }

    /** Closes the fd: {@link #state} runs it once, in close() or in the last thread leaving a call after it. */
    private void release() {
        try {
            int ignored = (int) CLOSE.invokeExact(errnoCapture(), fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Shuts the socket down (waking blocked calls), then closes the fd once no call is inside. Idempotent. */
    @Override
    public void close() {
        state.close(() -> {
            try {
                int ignored = (int) SHUTDOWN.invokeExact(errnoCapture(), fd, SHUT_RDWR); // ENOTCONN if not connected
            } catch (Throwable t) {
                throw rethrow(t);
            }
        });
    }

    private static String familyName(int family) {
        return switch (family) {
            case AF_UNIX -> "AF_UNIX";
            case AF_INET -> "AF_INET";
            case AF_INET6 -> "AF_INET6";
            case AF_VSOCK -> "AF_VSOCK";
            default -> "family " + family;
        };
    }

    @Override
    public String toString() {
        return name + (state.isClosed() ? " (closed)" : " fd " + fd);
    }
}
