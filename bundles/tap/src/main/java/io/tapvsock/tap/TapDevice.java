package io.tapvsock.tap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * A Linux TAP interface opened through /dev/net/tun ({@code IFF_TAP | IFF_NO_PI}): every read returns one whole
 * Ethernet frame the kernel sends out of the interface, every write injects one frame into it. No packet-info
 * header: the bytes are the frame, without FCS.
 *
 * <p>With {@link TapConfig#offload()} the TAP is opened with {@code IFF_VNET_HDR}: every read and every write
 * starts with a {@value #VNET_HEADER_LENGTH}-byte {@code struct virtio_net_hdr} (little-endian on x86_64) in front
 * of the frame, and the kernel is told ({@code TUNSETOFFLOAD}) that we complete TCP/UDP checksums and cut
 * TCP/IPv4 super-segments ourselves, so the interface gets checksum and TSO features. Reads may then be up to
 * {@value #VNET_HEADER_LENGTH} + 65535 + 18 bytes whatever the MTU, and writes may carry super-segments. Read the
 * virtio spec, §5.1.6 (device operation), for the header's fields. {@link #setOffload} turns those features
 * off and on again later, the header staying (the guest forwarder starts without them and turns them on once
 * the daemon agreed to carry the header).
 *
 * <p>Reads and writes block until done; one thread may read while another writes. {@link #close()} wakes a
 * thread blocked in either (it then gets a {@link ClosedChannelException}). Buffers must be direct ByteBuffers
 * or native MemorySegments, and must hold MTU + 14 bytes (18 with a VLAN tag): the kernel truncates a frame
 * that does not fit. Nothing is allocated per frame.
 *
 * <p>The fd is non-blocking underneath ({@link #fd()} can go to an epoll set): a read that finds no frame waits
 * in poll(2) on the fd plus an eventfd that close() signals. {@link #readNow} never waits, and {@link #poll}
 * waits on the TAP and one other fd together (the guest forwarder's single thread: TAP and socket).
 */
public final class TapDevice implements AutoCloseable {

    // <linux/if_tun.h>, <linux/sockios.h>, <linux/if.h>, <linux/if_arp.h>: x86_64 values.
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFMTU = 0x8922;
    private static final long SIOCSIFHWADDR = 0x8924;
    private static final long SIOCGIFHWADDR = 0x8927;
    private static final long TUNSETOFFLOAD = 0x400454d0L; // _IOW('T', 208, unsigned int)
    private static final long TUNGETVNETHDRSZ = 0x800454d7L; // _IOR('T', 215, int)
    private static final long TUNSETVNETHDRSZ = 0x400454d8L; // _IOW('T', 216, int)
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    /** TUNSETOFFLOAD features: we take partial checksums (TUN_F_CSUM) and TCP/IPv4 super-segments (TUN_F_TSO4). */
    private static final long TUN_F_CSUM = 0x01;
    private static final long TUN_F_TSO4 = 0x02;
    private static final short IFF_UP = 0x0001;
    private static final short ARPHRD_ETHER = 1;

    /** struct ifreq: char ifr_name[16], then a union (flags, sockaddr, mtu...) at 16; 40 bytes in all. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_UNION = 16;
    private static final int IFR_HWADDR_DATA = IFR_UNION + 2; // after sockaddr.sa_family
    private static final String CLONE_DEVICE = "/dev/net/tun";
    /**
     * The size of the virtio-net header in front of every frame with offload: {@code struct virtio_net_hdr}
     * (flags, gso_type, hdr_len, gso_size, csum_start, csum_offset), without the num_buffers field of the
     * mergeable-buffers layout.
     */
    public static final int VNET_HEADER_LENGTH = 10;
    /** poll(2) events, for {@link #poll}'s other fd. */
    public static final short POLLIN = 0x001;
    public static final short POLLOUT = 0x004;
    public static final short POLLERR = 0x008;
    public static final short POLLHUP = 0x010;
    public static final short POLLNVAL = 0x020;
    /** {@link #poll}'s result bit for a frame waiting on the TAP. */
    public static final int TAP_READABLE = 1;

    private final String name;
    private final int fd;
    private final int wakeFd;
    private final boolean offload;
    /** The hardware address the interface had once opened and configured. */
    private final byte[] mac;
    /** Open or closed: the fds are closed once the last thread inside a call has left after close(). */
    private final NativeFd state = new NativeFd(this::release);
    private final Arena arena = Arena.ofShared();
    /** struct pollfd[2] for the reading and the writing thread: {fd, POLLIN|POLLOUT}, {wakeFd, POLLIN}. */
    private final MemorySegment readPoll;
    private final MemorySegment writePoll;
    /** struct pollfd[3] for {@link #poll}: {fd, POLLIN or 0}, {the other fd, its events}, {wakeFd, POLLIN}. */
    private final MemorySegment jointPoll;
    private final MemorySegment wakeValue;

    /** The native address behind the last ByteBuffer seen in each direction: saves a lookup per frame. */
    private final BufferAddressCache readAddresses = new BufferAddressCache();
    private final BufferAddressCache writeAddresses = new BufferAddressCache();

    private TapDevice(String name, int fd, int wakeFd, boolean offload, byte[] mac) {
        this.name = name;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.offload = offload;
        this.mac = mac;
        this.readPoll = pollPair(arena, fd, POLLIN, wakeFd);
        this.writePoll = pollPair(arena, fd, POLLOUT, wakeFd);
        this.jointPoll = arena.allocate(24, 4);
        jointPoll.set(ValueLayout.JAVA_INT, 0, fd);
        jointPoll.set(ValueLayout.JAVA_INT, 16, wakeFd);
        jointPoll.set(ValueLayout.JAVA_SHORT, 20, POLLIN);
        this.wakeValue = arena.allocate(ValueLayout.JAVA_LONG);
        wakeValue.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    /**
     * Creates or attaches the TAP and configures it as asked. With a namespace, a dedicated platform thread
     * enters it for the duration (see {@link NetworkNamespace}); the device stays in that namespace and the
     * returned object can be used from any thread.
     *
     * @throws ErrnoException naming the step that failed, e.g. "TUNSETIFF tap0: Operation not permitted"
     */
    public static TapDevice open(TapConfig config) throws IOException {
        if (config.namespace().isPresent()) {
            Path namespace = config.namespace().get();
            return NetworkNamespace.call(namespace, () -> openHere(config));
        }
        return openHere(config);
    }

    private static TapDevice openHere(TapConfig config) throws IOException {
        String requested = config.name();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment ifreq = scratch.allocate(IFREQ_SIZE);
            int sock = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for configuring " + requested, Libc.errno());
            }
            try {
                if (config.preexisting()) {
                    requireExisting(sock, ifreq, requested);
                }
                int fd = Libc.open(CLONE_DEVICE, Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
                if (fd < 0) {
                    throw new ErrnoException("open " + CLONE_DEVICE, Libc.errno());
                }
                int wakeFd = -1;
                try {
                    String name = attach(fd, ifreq, requested, config.offload());
                    if (config.offload()) {
                        enableOffload(fd, scratch, name);
                    }
                    configure(sock, ifreq, name, config);
                    byte[] mac = hardwareAddress(sock, ifreq, name);
                    wakeFd = Libc.eventfd(0, Libc.EFD_CLOEXEC);
                    if (wakeFd < 0) {
                        throw new ErrnoException("eventfd for " + name, Libc.errno());
                    }
                    return new TapDevice(name, fd, wakeFd, config.offload(), mac);
                } catch (IOException | RuntimeException e) {
                    Libc.close(fd);
                    if (wakeFd >= 0) {
                        Libc.close(wakeFd);
                    }
                    throw e;
                }
            } finally {
                Libc.close(sock);
            }
        }
    }

    private static void requireExisting(int sock, MemorySegment ifreq, String name) throws IOException {
        setName(ifreq, name);
        if (Libc.ioctl(sock, SIOCGIFFLAGS, ifreq) < 0) {
            int errno = Libc.errno();
            throw new ErrnoException(errno == Libc.ENODEV ? "preexisting TAP " + name : "SIOCGIFFLAGS " + name,
                    errno);
        }
    }

    /** TUNSETIFF binds the fd to the interface (creating it if missing) and returns the kernel's name for it. */
    private static String attach(int fd, MemorySegment ifreq, String name, boolean vnetHeader) throws IOException {
        setName(ifreq, name);
        short flags = (short) (IFF_TAP | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0));
        ifreq.set(ValueLayout.JAVA_SHORT, IFR_UNION, flags);
        if (Libc.ioctl(fd, TUNSETIFF, ifreq) < 0) {
            throw new ErrnoException("TUNSETIFF " + name, Libc.errno());
        }
        return ifreq.getString(0);
    }

    /**
     * Fixes the virtio-net header at {@value #VNET_HEADER_LENGTH} bytes (the kernel's default, set anyway: a
     * persistent TAP may keep another size from an earlier owner) and offers checksum and TSO4 offload, which
     * gives the interface its tx-checksumming and tcp-segmentation-offload features.
     */
    private static void enableOffload(int fd, Arena scratch, String name) throws IOException {
        MemorySegment size = scratch.allocate(ValueLayout.JAVA_INT);
        size.set(ValueLayout.JAVA_INT, 0, VNET_HEADER_LENGTH);
        if (Libc.ioctl(fd, TUNSETVNETHDRSZ, size) < 0) {
            throw new ErrnoException("TUNSETVNETHDRSZ " + name + " " + VNET_HEADER_LENGTH, Libc.errno());
        }
        size.set(ValueLayout.JAVA_INT, 0, -1);
        if (Libc.ioctl(fd, TUNGETVNETHDRSZ, size) < 0) {
            throw new ErrnoException("TUNGETVNETHDRSZ " + name, Libc.errno());
        }
        if (size.get(ValueLayout.JAVA_INT, 0) != VNET_HEADER_LENGTH) {
            throw new IOException("TUNSETVNETHDRSZ " + name + ": the kernel kept a virtio-net header of "
                    + size.get(ValueLayout.JAVA_INT, 0) + " bytes, not " + VNET_HEADER_LENGTH);
        }
        setOffloadFeatures(fd, name, true);
    }

    /** TUNSETOFFLOAD takes the feature bits as the argument itself, not through a pointer. */
    private static void setOffloadFeatures(int fd, String name, boolean on) throws IOException {
        if (Libc.ioctl(fd, TUNSETOFFLOAD, MemorySegment.ofAddress(on ? TUN_F_CSUM | TUN_F_TSO4 : 0)) < 0) {
            throw new ErrnoException("TUNSETOFFLOAD " + name + (on ? " csum,tso4" : " none"), Libc.errno());
        }
    }

    private static byte[] hardwareAddress(int sock, MemorySegment ifreq, String name) throws IOException {
        setName(ifreq, name);
        if (Libc.ioctl(sock, SIOCGIFHWADDR, ifreq) < 0) {
            throw new ErrnoException("SIOCGIFHWADDR " + name, Libc.errno());
        }
        byte[] mac = new byte[6];
        MemorySegment.copy(ifreq, ValueLayout.JAVA_BYTE, IFR_HWADDR_DATA, mac, 0, mac.length);
        return mac;
    }

    private static void configure(int sock, MemorySegment ifreq, String name, TapConfig config) throws IOException {
        if (config.mac().isPresent()) {
            byte[] mac = config.mac().get();
            setName(ifreq, name);
            ifreq.set(ValueLayout.JAVA_SHORT, IFR_UNION, ARPHRD_ETHER);
            MemorySegment.copy(mac, 0, ifreq, ValueLayout.JAVA_BYTE, IFR_HWADDR_DATA, mac.length);
            if (Libc.ioctl(sock, SIOCSIFHWADDR, ifreq) < 0) {
                throw new ErrnoException("SIOCSIFHWADDR " + name, Libc.errno());
            }
        }
        if (config.mtu().isPresent()) {
            setName(ifreq, name);
            ifreq.set(ValueLayout.JAVA_INT, IFR_UNION, config.mtu().getAsInt());
            if (Libc.ioctl(sock, SIOCSIFMTU, ifreq) < 0) {
                throw new ErrnoException("SIOCSIFMTU " + name + " " + config.mtu().getAsInt(), Libc.errno());
            }
        }
        if (config.up()) {
            setName(ifreq, name);
            if (Libc.ioctl(sock, SIOCGIFFLAGS, ifreq) < 0) {
                throw new ErrnoException("SIOCGIFFLAGS " + name, Libc.errno());
            }
            short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFR_UNION);
            ifreq.set(ValueLayout.JAVA_SHORT, IFR_UNION, (short) (flags | IFF_UP));
            if (Libc.ioctl(sock, SIOCSIFFLAGS, ifreq) < 0) {
                throw new ErrnoException("SIOCSIFFLAGS " + name + " up", Libc.errno());
            }
        }
    }

    private static void setName(MemorySegment ifreq, String name) {
        ifreq.fill((byte) 0);
        ifreq.setString(0, name);
    }

    private static MemorySegment pollPair(Arena arena, int fd, short events, int wakeFd) {
        MemorySegment pair = arena.allocate(16, 4);
        pair.set(ValueLayout.JAVA_INT, 0, fd);
        pair.set(ValueLayout.JAVA_SHORT, 4, events);
        pair.set(ValueLayout.JAVA_INT, 8, wakeFd);
        pair.set(ValueLayout.JAVA_SHORT, 12, POLLIN);
        return pair;
    }

    /** The interface name the kernel gave (the requested one, or the expansion of a pattern such as tap%d). */
    public String name() {
        return name;
    }

    /** The /dev/net/tun file descriptor (O_NONBLOCK), e.g. for an epoll set; valid until close(). */
    public int fd() {
        return fd;
    }

    /**
     * True when every read and write starts with a {@value #VNET_HEADER_LENGTH}-byte virtio-net header
     * ({@link TapConfig#offload()}).
     */
    public boolean offload() {
        return offload;
    }

    /** The interface's MAC address once opened and configured (the kernel's, or {@link TapConfig#mac()}): a copy. */
    public byte[] mac() {
        return mac.clone();
    }

    /**
     * Offers the kernel checksum and TCP/IPv4 segmentation offload (TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4), or
     * withdraws it (TUNSETOFFLOAD 0: the kernel completes checksums and segments by itself again). The
     * virtio-net header stays in front of every frame either way. Frames the kernel queued before the change
     * may still carry the old kind of header. Any thread.
     *
     * @throws IllegalStateException the TAP was opened without offload (no virtio-net header)
     * @throws ClosedChannelException after close()
     */
    public void setOffload(boolean on) throws IOException {
        if (!offload) {
            throw new IllegalStateException(name + " was opened without a virtio-net header");
        }
        state.enter();
        try {
            setOffloadFeatures(fd, name, on);
        } finally {
            state.leave();
        }
    }

    public boolean isOpen() {
        return !state.isClosed();
    }

    /**
     * Reads one frame into dst at its position, up to its limit, and advances the position past it.
     *
     * @param dst a direct buffer with room for a whole frame
     * @return the frame's length in bytes
     */
    public int read(ByteBuffer dst) throws IOException {
        long base = readAddress(dst);
        int position = dst.position();
        try {
            int length = transfer(readPoll, true, base + position, dst.limit() - position);
            dst.position(position + length);
            return length;
        } finally {
            Reference.reachabilityFence(dst);
        }
    }

    /**
     * Reads one frame into the start of dst.
     *
     * @param dst a native segment with room for a whole frame
     * @return the frame's length in bytes
     */
    public int read(MemorySegment dst) throws IOException {
        requireNative(dst);
        try {
            return transfer(readPoll, true, dst.address(), dst.byteSize());
        } finally {
            Reference.reachabilityFence(dst);
        }
    }

    /**
     * Reads one frame into dst at its position if one is queued, without waiting, and advances the position past
     * it.
     *
     * @param dst a direct buffer with room for a whole frame
     * @return the frame's length in bytes, or -1 when no frame is queued
     */
    public int readNow(ByteBuffer dst) throws IOException {
        long base = readAddress(dst);
        int position = dst.position();
        state.enter();
        try {
            while (true) {
                long length = Libc.read(fd, base + position, dst.limit() - position);
                if (length >= 0) {
                    dst.position(position + (int) length);
                    return (int) length;
                }
                int errno = Libc.errno();
                if (errno == Libc.EAGAIN) {
                    return -1;
                }
                if (errno != Libc.EINTR) {
                    throw new ErrnoException("read " + name, errno);
                }
            }
        } finally {
            state.leave();
            Reference.reachabilityFence(dst);
        }
    }

    /**
     * Waits until the TAP has a frame to read (when {@code tapReadable} is asked for), or another fd is ready
     * for {@code otherEvents}, or {@code timeoutMillis} passed (0: only looks; -1: no limit). One thread only:
     * the one that relays between the TAP and that fd.
     *
     * @param otherFd an fd the caller keeps open for the duration, e.g. a socket's
     * @param otherEvents poll(2) events for it, e.g. {@link #POLLIN} | {@link #POLLOUT}
     * @return {@link #TAP_READABLE} if the TAP has a frame (or an error to report), or'ed with the other fd's
     *         revents shifted left by 16 (POLLHUP, POLLERR, POLLNVAL included), 0 when the time ran out
     * @throws ClosedChannelException after close(), which wakes the wait
     */
    public int poll(boolean tapReadable, int otherFd, short otherEvents, int timeoutMillis) throws IOException {
        state.enter();
        try {
            jointPoll.set(ValueLayout.JAVA_SHORT, 4, tapReadable ? POLLIN : 0);
            jointPoll.set(ValueLayout.JAVA_INT, 8, otherFd);
            jointPoll.set(ValueLayout.JAVA_SHORT, 12, otherEvents);
            if (Libc.poll(jointPoll, 3, timeoutMillis) < 0) {
                if (Libc.errno() != Libc.EINTR) {
                    throw new ErrnoException("poll " + name, Libc.errno());
                }
                return 0;
            }
            if (state.isClosed()) {
                throw new ClosedChannelException(); // close() signalled the eventfd
            }
            // An error on the TAP counts as readable too: the read that follows reports it.
            int tap = jointPoll.get(ValueLayout.JAVA_SHORT, 6) != 0 ? TAP_READABLE : 0;
            return tap | (jointPoll.get(ValueLayout.JAVA_SHORT, 14) & 0xFFFF) << 16;
        } finally {
            state.leave();
        }
    }

    /** Writes the bytes between src's position and limit as one frame and advances the position to the limit. */
    public void write(ByteBuffer src) throws IOException {
        long base = writeAddresses.baseAddress(src);
        int position = src.position();
        try {
            transfer(writePoll, false, base + position, src.limit() - position);
            src.position(src.limit());
        } finally {
            Reference.reachabilityFence(src);
        }
    }

    /** Writes the first length bytes of src as one frame. */
    public void write(MemorySegment src, long length) throws IOException {
        requireNative(src);
        if (length < 0 || length > src.byteSize()) {
            throw new IndexOutOfBoundsException("length " + length + " outside segment of " + src.byteSize());
        }
        try {
            transfer(writePoll, false, src.address(), length);
        } finally {
            Reference.reachabilityFence(src);
        }
    }

    /** One read(2) or write(2) of a whole frame; waits in poll(2) while the fd is not ready. */
    private int transfer(MemorySegment pollfds, boolean reading, long address, long length) throws IOException {
        state.enter();
        try {
            while (true) {
                long done = reading ? Libc.read(fd, address, length) : Libc.write(fd, address, length);
                if (done >= 0) {
                    return (int) done;
                }
                int errno = Libc.errno();
                if (errno == Libc.EAGAIN) {
                    if (Libc.poll(pollfds, 2, -1) < 0 && Libc.errno() != Libc.EINTR) {
                        throw new ErrnoException("poll " + name, Libc.errno());
                    }
                } else if (errno != Libc.EINTR) {
                    throw new ErrnoException((reading ? "read " : "write ") + name, errno);
                }
                if (state.isClosed()) {
                    throw new ClosedChannelException(); // close() signalled the eventfd
                }
            }
        } finally {
            state.leave();
        }
    }

    /** Closes the fds: {@link #state} runs it once, in close() or in the last thread leaving read/write after it. */
    private void release() {
        Libc.close(fd);
        Libc.close(wakeFd);
        arena.close();
    }

    /** The native address of dst's index 0, cached for the buffer last read into. */
    private long readAddress(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        return readAddresses.baseAddress(dst);
    }

    private static void requireNative(MemorySegment segment) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("a native MemorySegment is required");
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's arena is closed");
        }
    }

    /**
     * Closes the device; a TAP this object created (not persistent) disappears with it. Wakes threads blocked
     * in read or write first, waits for them to leave, then closes the fds. Idempotent.
     */
    @Override
    public void close() {
        // The eventfd wakes pollers for good: it is never drained.
        if (state.close(() -> Libc.write(wakeFd, wakeValue.address(), Long.BYTES))) {
            state.awaitRelease(); // the last thread out closes the fds
        }
    }

    @Override
    public String toString() {
        return "TAP " + name + (offload ? " (offload)" : "") + (isOpen() ? " fd " + fd : " (closed)");
    }
}
