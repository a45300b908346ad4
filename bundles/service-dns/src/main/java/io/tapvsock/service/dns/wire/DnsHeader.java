package io.tapvsock.service.dns.wire;

import io.netty.buffer.ByteBuf;

/**
 * A flyweight view of the 12-byte DNS message header over a ByteBuf, at an absolute offset. Netty's DNS codec
 * has no public way to read or write a header outside a channel pipeline; names and records go through it.
 *
 * <p>Read first: RFC 1035 §4.1.1 (the header), RFC 6895 §2 (opcodes, RCODEs, the flag bits added later).
 *
 * <pre>
 *                                 1  1  1  1  1  1
 *   0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                      ID                       |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * |                    QDCOUNT                    |
 * |                    ANCOUNT                    |
 * |                    NSCOUNT                    |
 * |                    ARCOUNT                    |
 * +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 * </pre>
 *
 * Accessors do not check bounds: call {@link #checkLen} (or know the buffer is long enough) first.
 */
public final class DnsHeader {

    public static final int LENGTH = 12;

    private static final int ID = 0;
    private static final int FLAGS = 2;
    private static final int QDCOUNT = 4;
    private static final int ANCOUNT = 6;
    private static final int NSCOUNT = 8;
    private static final int ARCOUNT = 10;

    public static final int QR = 0x8000;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;
    public static final int CD = 0x0010;
    private static final int OPCODE_SHIFT = 11;
    private static final int OPCODE_MASK = 0xF;
    private static final int RCODE_MASK = 0xF;

    public static final int OPCODE_QUERY = 0;

    public static final int RCODE_NOERROR = 0;
    public static final int RCODE_FORMERR = 1;
    public static final int RCODE_SERVFAIL = 2;
    public static final int RCODE_NXDOMAIN = 3;
    public static final int RCODE_NOTIMP = 4;

    private ByteBuf buf;
    private int off;

    /** A view of the header at {@code off}; whether the buffer holds 12 bytes there is not checked. */
    public static DnsHeader wrapUnchecked(ByteBuf buf, int off) {
        DnsHeader header = new DnsHeader();
        header.buf = buf;
        header.off = off;
        return header;
    }

    /** Does the buffer hold a whole header at the view's offset? */
    public boolean checkLen() {
        return buf.writerIndex() - off >= LENGTH;
    }

    public int id() {
        return buf.getUnsignedShort(off + ID);
    }

    public void setId(int id) {
        buf.setShort(off + ID, id);
    }

    public int flags() {
        return buf.getUnsignedShort(off + FLAGS);
    }

    public void setFlags(int flags) {
        buf.setShort(off + FLAGS, flags);
    }

    public boolean isResponse() {
        return (flags() & QR) != 0;
    }

    public boolean isTruncated() {
        return (flags() & TC) != 0;
    }

    public int opcode() {
        return flags() >>> OPCODE_SHIFT & OPCODE_MASK;
    }

    public int rcode() {
        return flags() & RCODE_MASK;
    }

    public int questionCount() {
        return buf.getUnsignedShort(off + QDCOUNT);
    }

    public int answerCount() {
        return buf.getUnsignedShort(off + ANCOUNT);
    }

    public int authorityCount() {
        return buf.getUnsignedShort(off + NSCOUNT);
    }

    public int additionalCount() {
        return buf.getUnsignedShort(off + ARCOUNT);
    }

    public void setCounts(int questions, int answers, int authorities, int additionals) {
        buf.setShort(off + QDCOUNT, questions);
        buf.setShort(off + ANCOUNT, answers);
        buf.setShort(off + NSCOUNT, authorities);
        buf.setShort(off + ARCOUNT, additionals);
    }

    /** The flags of a response to a query with {@code queryFlags}: QR set, opcode, RD and CD copied. */
    public static int responseFlags(int queryFlags, int rcode) {
        int opcode = queryFlags & OPCODE_MASK << OPCODE_SHIFT;
        return QR | opcode | queryFlags & (RD | CD) | RA | rcode & RCODE_MASK;
    }
}
