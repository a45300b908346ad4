package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * The Internet checksum (RFC 1071), the only per-byte work the stack adds: summed 8 bytes at a time into a
 * long and folded once at the end. Sums of even-length pieces add, so a header and a payload slice can be
 * summed separately. RFC 1624 explains incremental updates when one field changes.
 */
public final class Checksum {

    private Checksum() {
    }

    /**
     * Adds the bytes {@code [offset, offset + length)} of {@code buf} to {@code sum}, as big-endian 16-bit words
     * (an odd last byte is the high byte of a word). Absolute indexes: the reader index is not used.
     *
     * @param buf borrowed: not retained after return
     * @param sum an unfolded running sum (0 to start)
     */
    public static long add(ByteBuf buf, int offset, int length, long sum) {
        int i = offset;
        int end = offset + length;
        while (end - i >= 8) {
            long v = buf.getLong(i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            sum += buf.getUnsignedInt(i);
            i += 4;
        }
        if (end - i >= 2) {
            sum += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            sum += (buf.getUnsignedByte(i) << 8);
        }
        return sum;
    }

    /** The IPv4 pseudo-header of TCP and UDP (RFC 793 §3.1, RFC 768) as an unfolded sum. */
    public static long ipv4PseudoHeader(int source, int destination, int protocol, int l4Length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF) + protocol
                + l4Length;
    }

    /** Folds an unfolded sum into 16 bits (one's complement addition of the carries). */
    public static int fold(long sum) {
        sum = (sum >>> 32) + (sum & 0xFFFF_FFFFL);
        sum = (sum >>> 16) + (sum & 0xFFFF);
        sum = (sum >>> 16) + (sum & 0xFFFF);
        sum = (sum >>> 16) + (sum & 0xFFFF);
        return (int) sum;
    }

    /** The value to store in a checksum field: the complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** Checksum over a whole range, ready to store. */
    public static int compute(ByteBuf buf, int offset, int length) {
        return finish(add(buf, offset, length, 0));
    }

    /** True when a range that includes its own checksum field sums to 0xFFFF, i.e. verifies. */
    public static boolean verifies(long sumIncludingChecksumField) {
        return fold(sumIncludingChecksumField) == 0xFFFF;
    }
}
