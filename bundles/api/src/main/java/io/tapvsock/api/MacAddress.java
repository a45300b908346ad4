package io.tapvsock.api;

import java.util.HexFormat;

/** A 48-bit Ethernet address held in the low bits of a long (5a:94:ef:e4:0c:dd is 0x5a94efe40cddL). */
public record MacAddress(long bits) {

    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    /** gvproxy's default gateway MAC. */
    public static final MacAddress DEFAULT_GATEWAY = parse("5a:94:ef:e4:0c:dd");
    /** gvproxy's default guest MAC (the static lease of the device IP). */
    public static final MacAddress DEFAULT_DEVICE = parse("5a:94:ef:e4:0c:ee");

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(bits));
        }
    }

    /** Parses six hex octets separated by ':' or '-'; anything else is an IllegalArgumentException. */
    public static MacAddress parse(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        long bits = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            bits = bits << 8 | HexFormat.fromHexDigits(part);
        }
        return new MacAddress(bits);
    }

    public boolean isBroadcast() {
        return bits == BROADCAST.bits;
    }

    /** The I/G bit of the first octet: multicast and broadcast. */
    public boolean isMulticast() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (shift != 40) {
                text.append(':');
            }
            text.append(HexFormat.of().toHexDigits((byte) (bits >>> shift)));
        }
        return text.toString();
    }
}
