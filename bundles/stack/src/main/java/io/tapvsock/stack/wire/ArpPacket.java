package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;

/**
 * A view of an ARP packet for IPv4 over Ethernet. Read RFC 826 (ARP) and RFC 5227 (probes and announcements:
 * sender IP 0.0.0.0, or sender IP equal to target IP) before editing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Hardware type (1)      |     Protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW len (6)   | Proto len (4) |          Operation            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       Sender hardware address (6) ... | Sender protocol (4)...|
 * |       Target hardware address (6) ... | Target protocol (4)...|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpPacket {

    /** The length for Ethernet and IPv4 addresses, the only kind the stack speaks. */
    public static final int LENGTH = 28;

    public static final int HARDWARE_ETHERNET = 1;
    public static final int OPERATION_REQUEST = 1;
    public static final int OPERATION_REPLY = 2;

    private static final int HARDWARE_TYPE = 0;
    private static final int PROTOCOL_TYPE = 2;
    private static final int HARDWARE_LEN = 4;
    private static final int PROTOCOL_LEN = 5;
    private static final int OPERATION = 6;
    private static final int SENDER_MAC = 8;
    private static final int SENDER_IP = 14;
    private static final int TARGET_MAC = 18;
    private static final int TARGET_IP = 24;

    private ByteBuf buf;
    private int off;
    private int len;

    /** @param buf borrowed: not retained after return */
    public ArpPacket wrapUnchecked(ByteBuf buf, int off, int len) {
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

    /** Null when the fixed part is there; Ethernet padding after it is allowed. */
    public String checkLen() {
        if (len < LENGTH) {
            return "arp-truncated";
        }
        return null;
    }

    public int hardwareType() {
        return buf.getUnsignedShort(off + HARDWARE_TYPE);
    }

    public int protocolType() {
        return buf.getUnsignedShort(off + PROTOCOL_TYPE);
    }

    public int hardwareLength() {
        return buf.getUnsignedByte(off + HARDWARE_LEN);
    }

    public int protocolLength() {
        return buf.getUnsignedByte(off + PROTOCOL_LEN);
    }

    public int operation() {
        return buf.getUnsignedShort(off + OPERATION);
    }

    public long senderMac() {
        return EthernetHeader.getMac(buf, off + SENDER_MAC);
    }

    public int senderIp() {
        return buf.getInt(off + SENDER_IP);
    }

    public long targetMac() {
        return EthernetHeader.getMac(buf, off + TARGET_MAC);
    }

    public int targetIp() {
        return buf.getInt(off + TARGET_IP);
    }

    public void setHardwareType(int value) {
        buf.setShort(off + HARDWARE_TYPE, value);
    }

    public void setProtocolType(int value) {
        buf.setShort(off + PROTOCOL_TYPE, value);
    }

    public void setHardwareLength(int value) {
        buf.setByte(off + HARDWARE_LEN, value);
    }

    public void setProtocolLength(int value) {
        buf.setByte(off + PROTOCOL_LEN, value);
    }

    public void setOperation(int value) {
        buf.setShort(off + OPERATION, value);
    }

    public void setSenderMac(long mac) {
        EthernetHeader.setMac(buf, off + SENDER_MAC, mac);
    }

    public void setSenderIp(int ip) {
        buf.setInt(off + SENDER_IP, ip);
    }

    public void setTargetMac(long mac) {
        EthernetHeader.setMac(buf, off + TARGET_MAC, mac);
    }

    public void setTargetIp(int ip) {
        buf.setInt(off + TARGET_IP, ip);
    }
}
