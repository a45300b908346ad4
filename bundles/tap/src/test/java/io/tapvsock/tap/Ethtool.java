package io.tapvsock.tap;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** What {@code ethtool -k} shows for an interface's offload features, asked through SIOCETHTOOL in a namespace. */
public final class Ethtool {

    // <linux/sockios.h>, <linux/ethtool.h>: the legacy ethtool "get" commands, struct ethtool_value {cmd, data}.
    private static final long SIOCETHTOOL = 0x8946;
    public static final int ETHTOOL_GTXCSUM = 0x16;
    public static final int ETHTOOL_GTSO = 0x1e;

    private Ethtool() {
    }

    /** One feature of {@code iface} in {@code namespace}: 1 on, 0 off. */
    public static int value(Path namespace, String iface, int command) throws IOException {
        return NetworkNamespace.call(namespace, () -> {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment value = arena.allocate(8, 4);
                value.set(ValueLayout.JAVA_INT, 0, command);
                MemorySegment ifreq = arena.allocate(40, 8);
                ifreq.setString(0, iface);
                ifreq.set(ValueLayout.ADDRESS, 16, value); // ifr_data
                int sock = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
                try {
                    if (Libc.ioctl(sock, SIOCETHTOOL, ifreq) < 0) {
                        throw new ErrnoException("SIOCETHTOOL " + iface, Libc.errno());
                    }
                } finally {
                    Libc.close(sock);
                }
                return value.get(ValueLayout.JAVA_INT, 4);
            }
        });
    }
}
