package io.tapvsock.tap;

import io.netty.buffer.ByteBuf;

/**
 * The virtio-net header a TAP opened with {@code IFF_VNET_HDR} puts in front of every frame, both ways
 * ({@code struct virtio_net_hdr}, little-endian on x86_64), as static helpers at absolute indexes:
 *
 * <pre>
 *  0       1          2         4          6            8             10
 *  +-------+----------+---------+----------+------------+-------------+
 *  | flags | gso_type | hdr_len | gso_size | csum_start | csum_offset |
 *  +-------+----------+---------+----------+------------+-------------+
 * </pre>
 *
 * <p>Read before editing: the virtio spec v1.2, §5.1.6 (Device Operation: §5.1.6.2 packet transmission, §5.1.6.4
 * processing of incoming packets); Linux include/uapi/linux/virtio_net.h and include/linux/virtio_net.h
 * ({@code virtio_net_hdr_to_skb}, what the kernel accepts from us); RFC 793 §3.1 and RFC 9293 §3.1 (the TCP
 * checksum field at offset 16); RFC 791 §3.1 (IHL, total length).
 *
 * <p>Toward us (the guest's kernel transmitting), NEEDS_CSUM means the TCP/UDP checksum field holds only the
 * pseudo-header sum, DATA_VALID that the checksum was already verified, and gso_type TCPV4 a TCP super-segment
 * larger than the MTU (we offer only TUN_F_CSUM | TUN_F_TSO4, so other types are unexpected). Toward the guest,
 * a frame with NEEDS_CSUM and gso_type TCPV4 is cut by the guest's kernel into gso_size segments, or handed whole
 * to its TCP like a GRO'd packet.
 *
 * <p>The only class of this bundle that needs Netty (io.netty.buffer, an optional import): the transports use it
 * on their ByteBufs. The forwarder ({@code java -jar}, no Netty on its class path) never loads it; it uses only
 * {@link TapDevice#VNET_HEADER_LENGTH} and the bit values, which the compiler inlines.
 */
public final class VirtioNetHeader {

    public static final int LENGTH = TapDevice.VNET_HEADER_LENGTH;

    public static final int FLAG_NEEDS_CSUM = 1;
    public static final int FLAG_DATA_VALID = 2;
    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    /** The largest gso_size: 0xFFFF is the kernel's GSO_BY_FRAGS, which it refuses from user space. */
    public static final int MAX_GSO_SIZE = 0xFFFE;

    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;

    private static final int ETHERNET_LENGTH = 14;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int IPV4_MIN_LENGTH = 20;
    private static final int PROTOCOL_TCP = 6;
    private static final int TCP_MIN_LENGTH = 20;
    /** Where the checksum sits in a TCP header (RFC 9293 §3.1). */
    public static final int TCP_CHECKSUM_OFFSET = 16;

    private VirtioNetHeader() {
    }

    public static int flags(ByteBuf buf, int off) {
        return buf.getUnsignedByte(off + FLAGS);
    }

    public static int gsoType(ByteBuf buf, int off) {
        return buf.getUnsignedByte(off + GSO_TYPE);
    }

    /** Ethernet + IP + TCP/UDP header bytes: a hint for how much to copy linearly. */
    public static int headerLength(ByteBuf buf, int off) {
        return buf.getUnsignedShortLE(off + HDR_LEN);
    }

    /** Payload bytes per segment of a super-segment. */
    public static int gsoSize(ByteBuf buf, int off) {
        return buf.getUnsignedShortLE(off + GSO_SIZE);
    }

    /** Where checksumming starts, from the start of the Ethernet frame. */
    public static int checksumStart(ByteBuf buf, int off) {
        return buf.getUnsignedShortLE(off + CSUM_START);
    }

    /** Where the checksum goes, from {@link #checksumStart}. */
    public static int checksumOffset(ByteBuf buf, int off) {
        return buf.getUnsignedShortLE(off + CSUM_OFFSET);
    }

    /** True when the frame behind the header has work left for its NIC: a partial checksum or segmentation. */
    public static boolean offloaded(ByteBuf buf, int off) {
        return flags(buf, off) != 0 || gsoType(buf, off) != GSO_NONE;
    }

    /**
     * Judges a header the TAP handed us in front of a frame of {@code frameLength} bytes.
     *
     * @param buf borrowed: not retained after return
     * @return null when the frame can go on, else a short drop reason
     */
    public static String checkReceived(ByteBuf buf, int off, int frameLength) {
        int flags = flags(buf, off);
        if ((flags & ~(FLAG_NEEDS_CSUM | FLAG_DATA_VALID)) != 0) {
            return "vnet-unknown-flags";
        }
        int gsoType = gsoType(buf, off);
        if (gsoType != GSO_NONE && gsoType != GSO_TCPV4) {
            return "vnet-gso-unsupported"; // TCPV6, UDP, ECN...: the kernel was offered TSO4 only
        }
        if (gsoType == GSO_TCPV4 && gsoSize(buf, off) == 0) {
            return "vnet-gso-size-zero";
        }
        if ((flags & FLAG_NEEDS_CSUM) != 0
                && checksumStart(buf, off) + checksumOffset(buf, off) + Short.BYTES > frameLength) {
            return "vnet-checksum-outside-frame";
        }
        return null;
    }

    /** Writes a header that asks nothing of the guest's kernel: a frame with complete checksums, no GSO. */
    public static void setComplete(ByteBuf buf, int off) {
        set(buf, off, 0, GSO_NONE, 0, 0, 0, 0);
    }

    public static void set(ByteBuf buf, int off, int flags, int gsoType, int headerLength, int gsoSize,
            int checksumStart, int checksumOffset) {
        buf.setByte(off + FLAGS, flags);
        buf.setByte(off + GSO_TYPE, gsoType);
        buf.setShortLE(off + HDR_LEN, headerLength);
        buf.setShortLE(off + GSO_SIZE, gsoSize);
        buf.setShortLE(off + CSUM_START, checksumStart);
        buf.setShortLE(off + CSUM_OFFSET, checksumOffset);
    }

    /**
     * Judges a frame the stack hands over for segmentation: an untagged Ethernet + IPv4 + TCP frame whose length
     * is exactly its IPv4 total length (padding would be cut into segments as payload).
     *
     * @param frame borrowed: not retained after return
     * @return null when it can be written with {@link #setTcpOffload}, else a short drop reason
     */
    public static String checkTcpFrame(ByteBuf frame, int segmentSize) {
        int start = frame.readerIndex();
        int length = frame.readableBytes();
        if (segmentSize < 1 || segmentSize > MAX_GSO_SIZE) {
            return "segmented-bad-segment-size";
        }
        if (length < ETHERNET_LENGTH + IPV4_MIN_LENGTH + TCP_MIN_LENGTH
                || frame.getUnsignedShort(start + 12) != ETHERTYPE_IPV4) {
            return "segmented-not-tcp-ipv4";
        }
        int ip = start + ETHERNET_LENGTH;
        int versionIhl = frame.getUnsignedByte(ip);
        int ipHeaderLength = (versionIhl & 0x0F) * 4;
        if (versionIhl >> 4 != 4 || ipHeaderLength < IPV4_MIN_LENGTH
                || frame.getUnsignedByte(ip + 9) != PROTOCOL_TCP) {
            return "segmented-not-tcp-ipv4";
        }
        int total = frame.getUnsignedShort(ip + 2);
        if (ETHERNET_LENGTH + total != length || total < ipHeaderLength + TCP_MIN_LENGTH) {
            return "segmented-bad-length";
        }
        int tcpHeaderLength = (frame.getUnsignedByte(ip + ipHeaderLength + 12) >> 4) * 4;
        if (tcpHeaderLength < TCP_MIN_LENGTH || ipHeaderLength + tcpHeaderLength > total) {
            return "segmented-bad-length";
        }
        return null;
    }

    /**
     * The TCP payload bytes of a frame {@link #checkTcpFrame} accepted.
     *
     * @param frame borrowed: not retained after return
     */
    public static int tcpPayloadLength(ByteBuf frame) {
        int ip = frame.readerIndex() + ETHERNET_LENGTH;
        int ipHeaderLength = (frame.getUnsignedByte(ip) & 0x0F) * 4;
        int tcpHeaderLength = (frame.getUnsignedByte(ip + ipHeaderLength + 12) >> 4) * 4;
        return frame.getUnsignedShort(ip + 2) - ipHeaderLength - tcpHeaderLength;
    }

    /**
     * Writes the header for a TCP/IPv4 frame {@link #checkTcpFrame} accepted, whose checksum field holds the
     * pseudo-header sum: NEEDS_CSUM at the TCP checksum; with a {@code gsoSize} (not 0), gso_type TCPV4 so the
     * guest's kernel cuts the payload into segments of that size.
     *
     * @param frame borrowed: not retained after return
     */
    public static void setTcpOffload(ByteBuf buf, int off, ByteBuf frame, int gsoSize) {
        int ip = frame.readerIndex() + ETHERNET_LENGTH;
        int ipHeaderLength = (frame.getUnsignedByte(ip) & 0x0F) * 4;
        int tcpHeaderLength = (frame.getUnsignedByte(ip + ipHeaderLength + 12) >> 4) * 4;
        int checksumStart = ETHERNET_LENGTH + ipHeaderLength;
        set(buf, off, FLAG_NEEDS_CSUM, gsoSize == 0 ? GSO_NONE : GSO_TCPV4, checksumStart + tcpHeaderLength,
                gsoSize, checksumStart, TCP_CHECKSUM_OFFSET);
    }
}
