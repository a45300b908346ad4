package io.tapvsock.stack.icmp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;

/**
 * The byte work of echo forwarding: rewriting identifier and sequence number (RFC 792; RFC 1122 §3.2.2.6: a
 * reply carries the request's identifier, sequence and data) and finding the echo reply in what a raw socket
 * reads (raw(7): the IPv4 header comes first, its length from IHL). The checksum is recomputed over the whole
 * message, since both fields are under it.
 */
final class EchoMessages {

    private EchoMessages() {
    }

    /**
     * Sets identifier and sequence number of the echo message {@code [off, off + len)} and recomputes its checksum.
     *
     * @param message borrowed: not retained after return; at least {@link IcmpHeader#LENGTH} bytes
     */
    static void rewrite(ByteBuf message, int off, int len, int identifier, int sequence) {
        IcmpHeader header = new IcmpHeader().wrapUnchecked(message, off, len);
        header.setIdentifier(identifier);
        header.setSequence(sequence);
        header.fillChecksum();
    }

    /**
     * The offset of the ICMP message in a packet a raw ICMP socket read, or -1 when it is not a whole IPv4 ICMP
     * packet with at least an ICMP header.
     *
     * @param packet borrowed: not retained after return; the packet is {@code [0, length)}
     */
    static int icmpOffsetInRawPacket(ByteBuf packet, int length) {
        if (length < Ipv4Header.MIN_LENGTH || (packet.getUnsignedByte(0) >> 4) != 4) {
            return -1;
        }
        int headerLength = (packet.getUnsignedByte(0) & 0x0F) * 4;
        if (headerLength < Ipv4Header.MIN_LENGTH || length < headerLength + IcmpHeader.LENGTH
                || packet.getUnsignedByte(9) != Ipv4Header.PROTOCOL_ICMP) {
            return -1;
        }
        return headerLength;
    }

    /** The source address of a raw packet that passed {@link #icmpOffsetInRawPacket}. */
    static int rawSource(ByteBuf packet) {
        return packet.getInt(12);
    }
}
