package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of a TCP header. Read RFC 9293 §3.1 (header format), §3.2 (options), RFC 7323 (window scale,
 * timestamps) and RFC 2018 (SACK) before editing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                           [Options]                           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpHeader {

    /** The header without options. */
    public static final int MIN_LENGTH = 20;
    /** Data offset is 4 bits of 32-bit words. */
    public static final int MAX_LENGTH = 60;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int SEQUENCE = 4;
    private static final int ACKNOWLEDGMENT = 8;
    private static final int DATA_OFFSET = 12;
    private static final int FLAGS = 13;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT = 18;

    private ByteBuf buf;
    private int off;
    private int len;

    /**
     * @param buf borrowed: not retained after return
     * @param len the bytes available for the segment (the TCP length: header and payload)
     */
    public TcpHeader wrapUnchecked(ByteBuf buf, int off, int len) {
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

    /** Null when the fixed header fits and the data offset (RFC 9293 §3.1) lies within it and the segment. */
    public String checkLen() {
        if (len < MIN_LENGTH) {
            return "tcp-truncated";
        }
        int headerLen = headerLen();
        if (headerLen < MIN_LENGTH) {
            return "tcp-bad-data-offset";
        }
        if (headerLen > len) {
            return "tcp-data-offset-overflow";
        }
        return null;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(off + SOURCE_PORT);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(off + DESTINATION_PORT);
    }

    public int sequence() {
        return buf.getInt(off + SEQUENCE);
    }

    public int acknowledgment() {
        return buf.getInt(off + ACKNOWLEDGMENT);
    }

    /** Header length in bytes, options included (data offset times four). */
    public int headerLen() {
        return (buf.getUnsignedByte(off + DATA_OFFSET) >>> 4) * 4;
    }

    /** The eight flag bits CWR..FIN (see the constants). */
    public int flags() {
        return buf.getUnsignedByte(off + FLAGS);
    }

    public boolean has(int flag) {
        return (flags() & flag) != 0;
    }

    /** The window field as sent, before any scaling. */
    public int window() {
        return buf.getUnsignedShort(off + WINDOW);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int urgentPointer() {
        return buf.getUnsignedShort(off + URGENT);
    }

    /** Absolute index of the options region. */
    public int optionsOffset() {
        return off + MIN_LENGTH;
    }

    public int optionsLength() {
        return headerLen() - MIN_LENGTH;
    }

    /** Absolute index of the payload. */
    public int payloadOffset() {
        return off + headerLen();
    }

    public int payloadLength() {
        return len - headerLen();
    }

    /** The wrapped buffer; borrowed: not retained after return. */
    public ByteBuf buffer() {
        return buf;
    }

    public int offset() {
        return off;
    }

    /** True when the checksum verifies over the pseudo-header, header and payload (RFC 9293 §3.1). */
    public boolean checksumValid(int source, int destination) {
        long sum = Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_TCP, len);
        return Checksum.verifies(Checksum.add(buf, off, len, sum));
    }

    public void setSourcePort(int port) {
        buf.setShort(off + SOURCE_PORT, port);
    }

    public void setDestinationPort(int port) {
        buf.setShort(off + DESTINATION_PORT, port);
    }

    public void setSequence(int seq) {
        buf.setInt(off + SEQUENCE, seq);
    }

    public void setAcknowledgment(int ack) {
        buf.setInt(off + ACKNOWLEDGMENT, ack);
    }

    /** Sets the data offset (and zeroes the reserved bits); invalidates an earlier {@link #checkLen()}. */
    public void setHeaderLen(int headerLen) {
        buf.setByte(off + DATA_OFFSET, (headerLen / 4) << 4);
    }

    public void setFlags(int flags) {
        buf.setByte(off + FLAGS, flags);
    }

    public void setWindow(int window) {
        buf.setShort(off + WINDOW, window);
    }

    public void setChecksum(int checksum) {
        buf.setShort(off + CHECKSUM, checksum);
    }

    public void setUrgentPointer(int urgent) {
        buf.setShort(off + URGENT, urgent);
    }

    /**
     * Computes and stores the checksum; the header (options included) lies in this view's buffer, the payload in
     * another (a header buffer composed with a payload slice) or nowhere.
     *
     * @param payload borrowed: not retained after return; may be null
     */
    /**
     * For checksum offload: the field holds only the pseudo-header sum, folded and not complemented (what Linux
     * puts there for CHECKSUM_PARTIAL); whoever segments the frame completes it.
     */
    public void fillPseudoHeaderChecksum(int source, int destination, int payloadLen) {
        setChecksum(Checksum.fold(
                Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_TCP, headerLen() + payloadLen)));
    }

    public void fillChecksum(int source, int destination, ByteBuf payload, int payloadOff, int payloadLen) {
        setChecksum(0);
        int headerLen = headerLen();
        long sum = Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_TCP, headerLen + payloadLen);
        sum = Checksum.add(buf, off, headerLen, sum);
        if (payloadLen > 0) {
            sum = Checksum.add(payload, payloadOff, payloadLen, sum);
        }
        setChecksum(Checksum.finish(sum));
    }
}
