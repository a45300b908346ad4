package io.tapvsock.api;

/** An IPv4 address held as its 32 bits, big-endian order (192.168.127.1 is 0xC0A87F01). */
public record Ipv4Address(int bits) implements Comparable<Ipv4Address> {

    public static final Ipv4Address ANY = new Ipv4Address(0);
    public static final Ipv4Address BROADCAST = new Ipv4Address(-1);
    public static final Ipv4Address LOOPBACK = new Ipv4Address(0x7F000001);

    /** Parses dotted-quad text; anything else is an IllegalArgumentException that quotes the text. */
    public static Ipv4Address parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
        }
        int bits = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: \"" + text + "\"");
            }
            bits = bits << 8 | octet;
        }
        return new Ipv4Address(bits);
    }

    public static Ipv4Address fromBytes(byte[] bytes) {
        if (bytes.length != 4) {
            throw new IllegalArgumentException("IPv4 address needs 4 bytes, got " + bytes.length);
        }
        return new Ipv4Address((bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF);
    }

    public byte[] toBytes() {
        return new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits};
    }

    /** 169.254.0.0/16. */
    public boolean isLinkLocal() {
        return (bits & 0xFFFF0000) == 0xA9FE0000;
    }

    /** 224.0.0.0/4. */
    public boolean isMulticast() {
        return (bits & 0xF0000000) == 0xE0000000;
    }

    /** 127.0.0.0/8. */
    public boolean isLoopback() {
        return (bits & 0xFF000000) == 0x7F000000;
    }

    @Override
    public int compareTo(Ipv4Address other) {
        return Integer.compareUnsigned(bits, other.bits);
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xFF) + "." + (bits >>> 8 & 0xFF) + "." + (bits & 0xFF);
    }
}
