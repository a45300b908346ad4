package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of a UDP header. Read RFC 768 (UDP), RFC 1122 §4.1.3.4 (a zero checksum means none; a transmitted
 * checksum that computes to zero is sent as all ones) and RFC 1071 before editing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UdpHeader {

    public static final int LENGTH = 8;

    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int UDP_LENGTH = 4;
    private static final int CHECKSUM = 6;

    private ByteBuf buf;
    private int off;
    private int len;

    /**
     * @param buf borrowed: not retained after return
     * @param len the bytes available for the datagram (the IPv4 payload length)
     */
    public UdpHeader wrapUnchecked(ByteBuf buf, int off, int len) {
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

    /** Null when the header fits and its Length field lies within the wrapped bytes. */
    public String checkLen() {
        if (len < LENGTH) {
            return "udp-truncated";
        }
        int length = length();
        if (length < LENGTH) {
            return "udp-bad-length";
        }
        if (length > len) {
            return "udp-length-overflow";
        }
        return null;
    }

    public int sourcePort() {
        return buf.getUnsignedShort(off + SOURCE_PORT);
    }

    public int destinationPort() {
        return buf.getUnsignedShort(off + DESTINATION_PORT);
    }

    /** Header plus payload, from the Length field. */
    public int length() {
        return buf.getUnsignedShort(off + UDP_LENGTH);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int payloadOffset() {
        return off + LENGTH;
    }

    public int payloadLength() {
        return length() - LENGTH;
    }

    /** True when the checksum is absent (0) or verifies over the pseudo-header, header and payload. */
    public boolean checksumValid(int source, int destination) {
        if (checksum() == 0) {
            return true;
        }
        int length = length();
        long sum = Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_UDP, length);
        return Checksum.verifies(Checksum.add(buf, off, length, sum));
    }

    public void setSourcePort(int port) {
        buf.setShort(off + SOURCE_PORT, port);
    }

    public void setDestinationPort(int port) {
        buf.setShort(off + DESTINATION_PORT, port);
    }

    public void setLength(int length) {
        buf.setShort(off + UDP_LENGTH, length);
    }

    public void setChecksum(int value) {
        buf.setShort(off + CHECKSUM, value);
    }

    /** Computes and stores the checksum when the payload follows the header in the same buffer. */
    public void fillChecksum(int source, int destination) {
        fillChecksum(source, destination, buf, off + LENGTH, length() - LENGTH);
    }

    /**
     * Computes and stores the checksum when the payload lives in another buffer (a header buffer composed with a
     * payload slice).
     *
     * @param payload borrowed: not retained after return
     */
    public void fillChecksum(int source, int destination, ByteBuf payload, int payloadOff, int payloadLen) {
        setChecksum(0);
        long sum = Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_UDP, LENGTH + payloadLen);
        sum = Checksum.add(buf, off, LENGTH, sum);
        sum = Checksum.add(payload, payloadOff, payloadLen, sum);
        int checksum = Checksum.finish(sum);
        setChecksum(checksum == 0 ? 0xFFFF : checksum); // RFC 768: zero would mean "no checksum"
    }
}
