package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.MacAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.random.RandomGenerator;

/**
 * VPNKit's handshake as hyperkit speaks it (hyperkit src/lib/pci_virtio_net_vpnkit.c; gvproxy's vpnkit.go; no
 * RFC), before the stream switches to hyperkit framing:
 * <ol>
 * <li>the client sends a 49-byte hello: "VMN3T", a 4-byte version, a 40-character commit; we echo it as is;</li>
 * <li>the client sends a 41-byte command: byte 0 the command (1: ethernet), bytes 1..36 the interface's UUID in
 * ASCII, then 4 more bytes (a preferred IPv4 address, unused, as upstream);</li>
 * <li>we answer 258 bytes: [0] = 1 (vif), [1..2] MTU, [3..4] the largest frame (MTU + 14), both 16-bit
 * little-endian, [5..10] the interface's MAC, the rest zero.</li>
 * </ol>
 * The MAC comes from the UUID map (gvproxy's {@code vpnKitUUIDMacAddresses}), else a random locally
 * administered unicast address. Plain Java; the Netty side is {@link VpnkitHandshakeHandler}.
 */
final class VpnkitHandshake {

    static final int HELLO_LENGTH = 49;
    static final int COMMAND_LENGTH = 41;
    static final int REPLY_LENGTH = 258;
    static final int UUID_LENGTH = 36;
    /** gvproxy's default: the UUID podman's hyperkit uses, mapped to the default guest MAC. */
    static final String DEFAULT_UUID_MAC = "c3d68012-0208-11ea-9fd7-f2189899ab08=5a:94:ef:e4:0c:ee";
    private static final int ETHERNET_HEADER = 14;
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private final Map<String, MacAddress> macs;
    private final RandomGenerator random;

    /** @param macs by lower-case UUID */
    VpnkitHandshake(Map<String, MacAddress> macs, RandomGenerator random) {
        this.macs = Map.copyOf(macs);
        this.random = random;
    }

    /**
     * Reads gvproxy's {@code vpnKitUUIDMacAddresses} written as "uuid=mac" entries.
     *
     * @throws IllegalArgumentException naming {@code uuidMacs} and the bad entry
     */
    static Map<String, MacAddress> parseMacs(List<String> entries) {
        Map<String, MacAddress> macs = new HashMap<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String uuid = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (!UUID.matcher(uuid).matches()) {
                throw new IllegalArgumentException("uuidMacs: \"" + entry + "\" is not uuid=mac");
            }
            MacAddress mac;
            try {
                mac = MacAddress.parse(entry.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uuidMacs: \"" + entry + "\": " + e.getMessage(), e);
            }
            if (mac.isMulticast()) {
                throw new IllegalArgumentException("uuidMacs: \"" + entry + "\": " + mac + " is a multicast address");
            }
            macs.put(uuid.toLowerCase(Locale.ROOT), mac);
        }
        return macs;
    }

    /**
     * The UUID of a command, or null when bytes 1..36 are not a UUID in ASCII.
     *
     * @param command the 41 bytes the client sent
     */
    static String uuidOf(byte[] command) {
        String text = new String(command, 1, UUID_LENGTH, StandardCharsets.ISO_8859_1);
        return UUID.matcher(text).matches() ? text.toLowerCase(Locale.ROOT) : null;
    }

    /** The MAC the interface with this UUID gets: mapped, or random locally administered unicast. */
    MacAddress macFor(String uuid) {
        MacAddress mapped = macs.get(uuid);
        if (mapped != null) {
            return mapped;
        }
        long bits = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        // First octet: set the locally administered bit (0x02), clear the group bit (0x01).
        bits = (bits | 0x0200_0000_0000L) & ~0x0100_0000_0000L;
        return new MacAddress(bits);
    }

    /** The 258-byte answer for a link of this MTU. */
    static byte[] reply(int mtu, MacAddress mac) {
        byte[] reply = new byte[REPLY_LENGTH];
        reply[0] = 1;
        int maxFrame = Math.min(0xFFFF, mtu + ETHERNET_HEADER);
        reply[1] = (byte) mtu;
        reply[2] = (byte) (mtu >>> 8);
        reply[3] = (byte) maxFrame;
        reply[4] = (byte) (maxFrame >>> 8);
        for (int i = 0; i < 6; i++) {
            reply[5 + i] = (byte) (mac.bits() >>> (40 - 8 * i));
        }
        return reply;
    }
}
