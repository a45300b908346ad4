package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of an ICMPv4 message (RFC 792; RFC 1122 §3.2.2 for what a host must answer). The view covers the whole
 * message, header and data, because the checksum does. The identifier and sequence fields are those of echo
 * messages.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data ...
 * +-+-+-+-+-
 * </pre>
 */
public final class IcmpHeader {

    public static final int LENGTH = 8;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;

    private ByteBuf buf;
    private int off;
    private int len;

    /**
     * @param buf borrowed: not retained after return
     * @param len the whole message: header and data
     */
    public IcmpHeader wrapUnchecked(ByteBuf buf, int off, int len) {
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

    public String checkLen() {
        if (len < LENGTH) {
            return "icmp-truncated";
        }
        return null;
    }

    public int type() {
        return buf.getUnsignedByte(off + TYPE);
    }

    public int code() {
        return buf.getUnsignedByte(off + CODE);
    }

    public int checksum() {
        return buf.getUnsignedShort(off + CHECKSUM);
    }

    public int identifier() {
        return buf.getUnsignedShort(off + IDENTIFIER);
    }

    public int sequence() {
        return buf.getUnsignedShort(off + SEQUENCE);
    }

    /** True when the checksum over the whole message verifies. */
    public boolean checksumValid() {
        return Checksum.verifies(Checksum.add(buf, off, len, 0));
    }

    public int dataOffset() {
        return off + LENGTH;
    }

    public int dataLength() {
        return len - LENGTH;
    }

    public void setType(int value) {
        buf.setByte(off + TYPE, value);
    }

    public void setCode(int value) {
        buf.setByte(off + CODE, value);
    }

    public void setChecksum(int value) {
        buf.setShort(off + CHECKSUM, value);
    }

    public void setIdentifier(int value) {
        buf.setShort(off + IDENTIFIER, value);
    }

    public void setSequence(int value) {
        buf.setShort(off + SEQUENCE, value);
    }

    /** Computes and stores the checksum over the whole wrapped message (the data must already be in place). */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.compute(buf, off, len));
    }
}
