package io.tapvsock.service.dhcp.wire;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;

/**
 * A flyweight view of the fixed part of a DHCP message (the BOOTP header and the magic cookie) over a ByteBuf,
 * read and written in place with absolute indexes from {@code offset}; the reader index is never used.
 *
 * <p>Read first: RFC 2131 §2 (the message format) and RFC 951 (BOOTP, which it extends).
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 * +---------------+---------------+---------------+---------------+
 * |                            xid (4)                            |
 * +-------------------------------+-------------------------------+
 * |           secs (2)            |           flags (2)           |
 * +-------------------------------+-------------------------------+
 * |                          ciaddr  (4)                          |
 * |                          yiaddr  (4)                          |
 * |                          siaddr  (4)                          |
 * |                          giaddr  (4)                          |
 * |                          chaddr  (16)                         |
 * |                          sname   (64)                         |
 * |                          file    (128)                        |
 * |                     magic cookie 99.130.83.99                 |
 * |                          options (variable)                   |
 * +---------------------------------------------------------------+
 * </pre>
 * Accessors do not check bounds beyond what ByteBuf does: call {@link #checkLen} before reading guest input.
 */
public final class DhcpHeader {

    private static final int OP = 0;
    private static final int HTYPE = 1;
    private static final int HLEN = 2;
    private static final int HOPS = 3;
    private static final int XID = 4;
    private static final int SECS = 8;
    private static final int FLAGS = 10;
    private static final int CIADDR = 12;
    private static final int YIADDR = 16;
    private static final int SIADDR = 20;
    private static final int GIADDR = 24;
    private static final int CHADDR = 28;
    /** Server host name; may carry options when option 52 says so (RFC 2132 §9.3). */
    public static final int SNAME = 44;
    public static final int SNAME_LENGTH = 64;
    /** Boot file name; may carry options when option 52 says so. */
    public static final int FILE = 108;
    public static final int FILE_LENGTH = 128;
    private static final int COOKIE = 236;
    /** Where the options start. */
    public static final int OPTIONS = 240;
    /** The fixed part, cookie included. */
    public static final int LENGTH = OPTIONS;

    public static final int OP_BOOTREQUEST = 1;
    public static final int OP_BOOTREPLY = 2;
    /** RFC 1700 hardware type: Ethernet (10Mb). */
    public static final int HTYPE_ETHERNET = 1;
    public static final int HLEN_ETHERNET = 6;
    /** RFC 2131 §3: the first four octets of the options field. */
    public static final int MAGIC_COOKIE = 0x63825363;
    /** RFC 2131 §2, figure 2: the leftmost bit of flags asks for broadcast replies. */
    public static final int FLAG_BROADCAST = 0x8000;

    private final ByteBuf buf;
    private final int offset;

    /** @param buf borrowed: not retained after return (the view is only valid while the caller holds it) */
    private DhcpHeader(ByteBuf buf, int offset) {
        this.buf = buf;
        this.offset = offset;
    }

    /** A view without any check; for emission into a buffer of at least {@link #LENGTH} bytes. */
    public static DhcpHeader wrapUnchecked(ByteBuf buf, int offset) {
        return new DhcpHeader(buf, offset);
    }

    /**
     * A view of {@code length} bytes at {@code offset} after {@link #checkLen}.
     *
     * @param buf borrowed: not retained after return
     */
    public static DhcpHeader wrapChecked(ByteBuf buf, int offset, int length) throws MalformedDhcpException {
        DhcpHeader header = new DhcpHeader(buf, offset);
        header.checkLen(length);
        return header;
    }

    /**
     * The structural checks after which no accessor reads outside the message. The field values (op, htype,
     * hlen, cookie) are judged by {@link DhcpRequest#parse}.
     */
    public void checkLen(int length) throws MalformedDhcpException {
        if (length < LENGTH || buf.capacity() - offset < length) {
            throw new MalformedDhcpException(MalformedReason.SHORT, "message of " + length + " bytes, need " + LENGTH);
        }
    }

    public int offset() {
        return offset;
    }

    public ByteBuf buffer() {
        return buf;
    }

    public int op() {
        return buf.getUnsignedByte(offset + OP);
    }

    public void setOp(int op) {
        buf.setByte(offset + OP, op);
    }

    public int htype() {
        return buf.getUnsignedByte(offset + HTYPE);
    }

    public void setHtype(int htype) {
        buf.setByte(offset + HTYPE, htype);
    }

    public int hlen() {
        return buf.getUnsignedByte(offset + HLEN);
    }

    public void setHlen(int hlen) {
        buf.setByte(offset + HLEN, hlen);
    }

    public int hops() {
        return buf.getUnsignedByte(offset + HOPS);
    }

    public void setHops(int hops) {
        buf.setByte(offset + HOPS, hops);
    }

    public int xid() {
        return buf.getInt(offset + XID);
    }

    public void setXid(int xid) {
        buf.setInt(offset + XID, xid);
    }

    public int secs() {
        return buf.getUnsignedShort(offset + SECS);
    }

    public void setSecs(int secs) {
        buf.setShort(offset + SECS, secs);
    }

    public int flags() {
        return buf.getUnsignedShort(offset + FLAGS);
    }

    public void setFlags(int flags) {
        buf.setShort(offset + FLAGS, flags);
    }

    public boolean broadcast() {
        return (flags() & FLAG_BROADCAST) != 0;
    }

    public Ipv4Address ciaddr() {
        return new Ipv4Address(buf.getInt(offset + CIADDR));
    }

    public void setCiaddr(Ipv4Address address) {
        buf.setInt(offset + CIADDR, address.bits());
    }

    public Ipv4Address yiaddr() {
        return new Ipv4Address(buf.getInt(offset + YIADDR));
    }

    public void setYiaddr(Ipv4Address address) {
        buf.setInt(offset + YIADDR, address.bits());
    }

    public Ipv4Address siaddr() {
        return new Ipv4Address(buf.getInt(offset + SIADDR));
    }

    public void setSiaddr(Ipv4Address address) {
        buf.setInt(offset + SIADDR, address.bits());
    }

    public Ipv4Address giaddr() {
        return new Ipv4Address(buf.getInt(offset + GIADDR));
    }

    public void setGiaddr(Ipv4Address address) {
        buf.setInt(offset + GIADDR, address.bits());
    }

    /** The first six octets of chaddr: the client's Ethernet address when hlen is 6. */
    public MacAddress chaddrMac() {
        return new MacAddress((long) buf.getUnsignedShort(offset + CHADDR) << 32 | buf.getUnsignedInt(offset + CHADDR + 2));
    }

    /** Writes the MAC into the first six octets of chaddr; the other ten are left as they are (zero). */
    public void setChaddrMac(MacAddress mac) {
        buf.setShort(offset + CHADDR, (int) (mac.bits() >>> 32));
        buf.setInt(offset + CHADDR + 2, (int) mac.bits());
    }

    public int cookie() {
        return buf.getInt(offset + COOKIE);
    }

    public void setCookie(int cookie) {
        buf.setInt(offset + COOKIE, cookie);
    }
}
