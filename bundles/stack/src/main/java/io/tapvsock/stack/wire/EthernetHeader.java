package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of an Ethernet II header (IEEE 802.3 clause 3, RFC 894 for IPv4 over Ethernet). No FCS: the links
 * the stack sees carry frames without it.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Destination MAC (6 octets)                    |
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                   Source MAC (6 octets)                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |   payload ...
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class EthernetHeader {

    public static final int LENGTH = 14;
    /** An 802.1Q tag adds 4 bytes before the EtherType of the payload. */
    public static final int VLAN_TAG_LENGTH = 4;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_IPV6 = 0x86DD;

    private static final int DESTINATION = 0;
    private static final int SOURCE = 6;
    private static final int ETHER_TYPE = 12;

    private ByteBuf buf;
    private int off;
    private int len;

    /**
     * Points this view at {@code len} bytes of {@code buf} from {@code off}, without checks.
     *
     * @param buf borrowed: not retained after return
     */
    public EthernetHeader wrapUnchecked(ByteBuf buf, int off, int len) {
        this.buf = buf;
        this.off = off;
        this.len = len;
        return this;
    }

    /**
     * {@link #wrapUnchecked} then {@link #checkLen}.
     *
     * @param buf borrowed: not retained after return
     * @return null when the getters are safe, else the drop reason
     */
    public String wrapChecked(ByteBuf buf, int off, int len) {
        return wrapUnchecked(buf, off, len).checkLen();
    }

    /** Null when the wrapped bytes hold a whole header, else the drop reason. */
    public String checkLen() {
        if (len < LENGTH) {
            return "ethernet-truncated";
        }
        return null;
    }

    public long destination() {
        return getMac(buf, off + DESTINATION);
    }

    public long source() {
        return getMac(buf, off + SOURCE);
    }

    public int etherType() {
        return buf.getUnsignedShort(off + ETHER_TYPE);
    }

    public void setDestination(long mac) {
        setMac(buf, off + DESTINATION, mac);
    }

    public void setSource(long mac) {
        setMac(buf, off + SOURCE, mac);
    }

    public void setEtherType(int type) {
        buf.setShort(off + ETHER_TYPE, type);
    }

    /** Absolute index of the first payload byte. */
    public int payloadOffset() {
        return off + LENGTH;
    }

    public int payloadLength() {
        return len - LENGTH;
    }

    /** Reads a 48-bit MAC address at an absolute index into the low bits of a long. */
    public static long getMac(ByteBuf buf, int index) {
        return (long) buf.getUnsignedShort(index) << 32 | buf.getUnsignedInt(index + 2);
    }

    /** Writes the low 48 bits of {@code mac} at an absolute index. */
    public static void setMac(ByteBuf buf, int index, long mac) {
        buf.setShort(index, (int) (mac >>> 32));
        buf.setInt(index + 2, (int) mac);
    }

    /** Multicast and broadcast addresses have the I/G bit (the low bit of the first octet) set. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }
}
