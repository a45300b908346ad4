package io.tapvsock.tap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * IPv4 configuration of interfaces in the calling thread's network namespace, as {@code slirp4netns --configure}
 * does: address and prefix, link up, default route. Classic ioctls on an AF_INET socket (no netlink, no iproute2),
 * so it works for a namespace given by any path; run it inside {@link NetworkNamespace#call} for another
 * namespace. Addresses are IPv4 addresses as big-endian ints (192.168.127.2 is 0xC0A87F02).
 */
public final class Ipv4Setup {

    // <linux/sockios.h>, <linux/route.h>, <linux/if.h>: x86_64 values.
    private static final long SIOCADDRT = 0x890B;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFADDR = 0x8916;
    private static final long SIOCSIFNETMASK = 0x891C;
    private static final short IFF_UP = 0x0001;
    private static final short RTF_UP = 0x0001;
    private static final short RTF_GATEWAY = 0x0002;
    private static final int EEXIST = 17;

    /** struct ifreq: name[16], then the union (flags or a struct sockaddr_in) at 16; 40 bytes. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFR_UNION = 16;
    /**
     * struct rtentry on x86_64: rt_pad1 (8), rt_dst (sockaddr, 16) at 8, rt_gateway at 24, rt_genmask at 40,
     * rt_flags (u16) at 56, ..., rt_metric at 80, rt_dev (char *) at 88; 120 bytes.
     */
    private static final int RTENTRY_SIZE = 120;
    private static final int RT_DST = 8;
    private static final int RT_GATEWAY = 24;
    private static final int RT_GENMASK = 40;
    private static final int RT_FLAGS = 56;
    private static final int RT_DEV = 88;

    private Ipv4Setup() {
    }

    /**
     * Gives the interface its address and prefix (replacing its primary IPv4 address), brings it and the
     * loopback up, and adds a default route through gateway on it. A default route that already exists is left
     * as it is.
     *
     * @return false when a default route was already there (so this one was not added), true otherwise
     * @throws ErrnoException naming the step that failed, e.g. "SIOCADDRT default via 192.168.127.1 dev tap0"
     */
    public static boolean configure(String iface, int address, int prefixLength, int gateway) throws IOException {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length out of range 0..32: " + prefixLength);
        }
        int sock = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for configuring " + iface, Libc.errno());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE);
            setUp(sock, ifreq, "lo");
            setUp(sock, ifreq, iface);
            setAddress(sock, ifreq, SIOCSIFADDR, iface, address, "SIOCSIFADDR ");
            int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
            setAddress(sock, ifreq, SIOCSIFNETMASK, iface, mask, "SIOCSIFNETMASK ");
            return addDefaultRoute(sock, arena, iface, gateway);
        } finally {
            Libc.close(sock);
        }
    }

    /** Brings the named interface up (IFF_UP), leaving its other flags alone. */
    public static void up(String iface) throws IOException {
        int sock = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
        if (sock < 0) {
            throw new ErrnoException("socket(AF_INET, SOCK_DGRAM) for configuring " + iface, Libc.errno());
        }
        try (Arena arena = Arena.ofConfined()) {
            setUp(sock, arena.allocate(IFREQ_SIZE), iface);
        } finally {
            Libc.close(sock);
        }
    }

    private static void setUp(int sock, MemorySegment ifreq, String iface) throws IOException {
        name(ifreq, iface);
        if (Libc.ioctl(sock, SIOCGIFFLAGS, ifreq) < 0) {
            throw new ErrnoException("SIOCGIFFLAGS " + iface, Libc.errno());
        }
        short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFR_UNION);
        if ((flags & IFF_UP) != 0) {
            return;
        }
        ifreq.set(ValueLayout.JAVA_SHORT, IFR_UNION, (short) (flags | IFF_UP));
        if (Libc.ioctl(sock, SIOCSIFFLAGS, ifreq) < 0) {
            throw new ErrnoException("SIOCSIFFLAGS " + iface + " up", Libc.errno());
        }
    }

    private static void setAddress(int sock, MemorySegment ifreq, long request, String iface, int value, String what)
            throws IOException {
        name(ifreq, iface);
        sockaddrIn(ifreq, IFR_UNION, value);
        if (Libc.ioctl(sock, request, ifreq) < 0) {
            throw new ErrnoException(what + iface + " " + text(value), Libc.errno());
        }
    }

    private static boolean addDefaultRoute(int sock, Arena arena, String iface, int gateway) throws IOException {
        MemorySegment route = arena.allocate(RTENTRY_SIZE, 8);
        sockaddrIn(route, RT_DST, 0);
        sockaddrIn(route, RT_GATEWAY, gateway);
        sockaddrIn(route, RT_GENMASK, 0);
        route.set(ValueLayout.JAVA_SHORT, RT_FLAGS, (short) (RTF_UP | RTF_GATEWAY));
        route.set(ValueLayout.ADDRESS, RT_DEV, arena.allocateFrom(iface));
        if (Libc.ioctl(sock, SIOCADDRT, route) < 0) {
            int errno = Libc.errno();
            if (errno == EEXIST) {
                return false;
            }
            throw new ErrnoException("SIOCADDRT default via " + text(gateway) + " dev " + iface, errno);
        }
        return true;
    }

    private static void name(MemorySegment ifreq, String iface) {
        ifreq.fill((byte) 0);
        ifreq.setString(0, iface);
    }

    /** struct sockaddr_in at offset: family AF_INET (host order), port 0, address (network order). */
    private static void sockaddrIn(MemorySegment segment, int offset, int address) {
        segment.asSlice(offset, 16).fill((byte) 0);
        segment.set(ValueLayout.JAVA_SHORT, offset, (short) Libc.AF_INET);
        segment.set(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), offset + 4, address);
    }

    private static String text(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
