package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of an IPv4 header. Read RFC 791 (the header), RFC 1122 §3.2.1 (what a host must check), RFC 6864
 * (the Identification field of atomic datagrams) and RFC 1071 (the checksum) before editing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |   DSCP/ECN    |          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4Header {

    /** The header without options. */
    public static final int MIN_LENGTH = 20;
    /** The total length field's limit: no datagram is longer. */
    public static final int MAX_LENGTH = 65535;

    public static final int PROTOCOL_ICMP = 1;
    public static final int PROTOCOL_TCP = 6;
    public static final int PROTOCOL_UDP = 17;

    /** Flags and fragment offset: Don't Fragment. */
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    /** Flags and fragment offset: More Fragments. */
    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private static final int VERSION_IHL = 0;
    private static final int DSCP_ECN = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private ByteBuf buf;
    private int off;
    private int len;

    /** @param buf borrowed: not retained after return */
    public Ipv4Header wrapUnchecked(ByteBuf buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * @param buf borrowed: not retained after return
     * @return null when the getters are safe, else the drop reason
     */
    public String wrapChecked(ByteBuf buf, int off, int len) {
        return wrapUnchecked(buf, off, len).checkLen();
    }

    /**
     * Null when the fixed header, the options IHL announces and the Total Length all fit in the wrapped bytes.
     * Bytes after Total Length (Ethernet padding) are allowed. {@link #setHeaderLength} and
     * {@link #setTotalLength} invalidate the result.
     */
    public String checkLen() {
        if (len < MIN_LENGTH) {
            return "ipv4-truncated";
        }
        int headerLength = headerLength();
        if (headerLength < MIN_LENGTH) {
            return "ipv4-bad-ihl"; // RFC 791: IHL counts 32-bit words, at least 5
        }
        if (headerLength > len) {
            return "ipv4-header-truncated";
        }
        int total = totalLength();
        if (total < headerLength) {
            return "ipv4-bad-total-length";
        }
        if (total > len) {
            return "ipv4-total-length-overflow"; // RFC 1122 §3.2.1.2 hosts must not trust a longer length
        }
        return null;
    }

    /**
     * The semantic checks after {@link #checkLen}: null when the stack accepts the datagram, else the drop reason.
     * Options are tolerated and ignored (RFC 1122 §3.2.1.8 lets a host ignore the ones it does not implement).
     */
    public String judge() {
        if (version() != 4) {
            return "ipv4-bad-version";
        }
        if (!Checksum.verifies(Checksum.add(buf, off, headerLength(), 0))) {
            return "ipv4-bad-checksum";
        }
        if (isFragment()) {
            return "ipv4-fragment"; // no reassembly: every sender we serve sets DF
        }
        return null;
    }

    public int version() {
        return buf.getUnsignedByte(off + VERSION_IHL) >>> 4;
    }

    /** IHL in bytes. */
    public int headerLength() {
        return (buf.getUnsignedByte(off + VERSION_IHL) & 0x0F) * 4;
    }

    public int dscpEcn() {
        return buf.getUnsignedByte(off + DSCP_ECN);
    }

    public int totalLength() {
        return buf.getUnsignedShort(off + TOTAL_LENGTH);
    }

    public int identification() {
        return buf.getUnsignedShort(off + IDENTIFICATION);
    }

    /** The 3 flag bits and the 13-bit fragment offset as they are on the wire. */
    public int flagsAndFragmentOffset() {
        return buf.getUnsignedShort(off + FLAGS_FRAGMENT);
    }

    public boolean dontFragment() {
        return (flagsAndFragmentOffset() & FLAG_DONT_FRAGMENT) != 0;
    }

    /** More Fragments set or a non-zero offset: a piece of a larger datagram. */
    public boolean isFragment() {
        int value = flagsAndFragmentOffset();
        return (value & FLAG_MORE_FRAGMENTS) != 0 || (value & FRAGMENT_OFFSET_MASK) != 0;
    }

    public int ttl() {
        return buf.getUnsignedByte(off + TTL);
    }

    public int protocol() {
        return buf.getUnsignedByte(off + PROTOCOL);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int source() {
        return buf.getInt(off + SOURCE);
    }

    public int destination() {
        return buf.getInt(off + DESTINATION);
    }

    /** Absolute index of the first payload byte (after the options). */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** Payload bytes according to Total Length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Writes version 4 and the IHL for {@code headerLength} bytes (a multiple of 4). */
    public void setHeaderLength(int headerLength) {
        buf.setByte(off + VERSION_IHL, 0x40 | headerLength / 4);
    }

    public void setDscpEcn(int value) {
        buf.setByte(off + DSCP_ECN, value);
    }

    public void setTotalLength(int value) {
        buf.setShort(off + TOTAL_LENGTH, value);
    }

    public void setIdentification(int value) {
        buf.setShort(off + IDENTIFICATION, value);
    }

    public void setFlagsAndFragmentOffset(int value) {
        buf.setShort(off + FLAGS_FRAGMENT, value);
    }

    public void setTtl(int value) {
        buf.setByte(off + TTL, value);
    }

    public void setProtocol(int value) {
        buf.setByte(off + PROTOCOL, value);
    }

    public void setChecksum(int value) {
        buf.setShort(off + CHECKSUM, value);
    }

    public void setSource(int address) {
        buf.setInt(off + SOURCE, address);
    }

    public void setDestination(int address) {
        buf.setInt(off + DESTINATION, address);
    }

    /** Computes and stores the header checksum over the current header bytes. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.compute(buf, off, headerLength()));
    }
}
