package io.tapvsock.itests.harness;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Hand-built Ethernet II / IPv4 / UDP / ICMP frames for feeding a transport directly, and the few field reads
 * the tests need. RFC 791 (IPv4), RFC 768 (UDP), RFC 792 (ICMP), RFC 826 (ARP), RFC 2131/2132 (DHCP, options
 * 53 and 26).
 */
public final class Frames {
    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final byte[] BROADCAST = mac("ff:ff:ff:ff:ff:ff");
    public static final byte[] GATEWAY_MAC = mac("5a:94:ef:e4:0c:dd");

    private Frames() {
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}. */
    public static byte[] mac(String text) {
        return HexFormat.ofDelimiter(":").parseHex(text);
    }

    /** Parses a dotted IPv4 address. */
    public static byte[] ipv4(String text) {
        String[] parts = text.split("\\.");
        byte[] address = new byte[4];
        for (int i = 0; i < 4; i++) {
            address[i] = (byte) Integer.parseInt(parts[i]);
        }
        return address;
    }

    /** An Ethernet II frame. */
    public static byte[] ethernet(byte[] dst, byte[] src, int etherType, byte[] payload) {
        return ByteBuffer.allocate(14 + payload.length).put(dst).put(src).putShort((short) etherType).put(payload)
            .array();
    }

    /** An IPv4 packet (no options, DF clear) with a correct header checksum. */
    public static byte[] ipv4Packet(byte[] src, byte[] dst, int protocol, byte[] payload) {
        ByteBuffer ip = ByteBuffer.allocate(20 + payload.length);
        ip.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length))
            .putShort((short) 0x1234).putShort((short) 0)
            .put((byte) 64).put((byte) protocol).putShort((short) 0)
            .put(src).put(dst).put(payload);
        byte[] packet = ip.array();
        int checksum = checksum(packet, 0, 20);
        packet[10] = (byte) (checksum >> 8);
        packet[11] = (byte) checksum;
        return packet;
    }

    /** A UDP datagram with checksum 0 (none, allowed over IPv4). */
    public static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        return ByteBuffer.allocate(8 + payload.length).putShort((short) srcPort).putShort((short) dstPort)
            .putShort((short) (8 + payload.length)).putShort((short) 0).put(payload).array();
    }

    /** An ICMP echo request with a correct checksum. */
    public static byte[] icmpEcho(int id, int seq, byte[] data) {
        byte[] icmp = ByteBuffer.allocate(8 + data.length).put((byte) 8).put((byte) 0).putShort((short) 0)
            .putShort((short) id).putShort((short) seq).put(data).array();
        int checksum = checksum(icmp, 0, icmp.length);
        icmp[2] = (byte) (checksum >> 8);
        icmp[3] = (byte) checksum;
        return icmp;
    }

    /** An ARP request (RFC 826, Ethernet/IPv4) asking who has {@code targetIp}, as a frame to {@code dst}. */
    public static byte[] arpRequest(byte[] dst, byte[] senderMac, byte[] senderIp, byte[] targetIp) {
        byte[] arp = ByteBuffer.allocate(28).putShort((short) 1).putShort((short) ETHERTYPE_IPV4)
            .put((byte) 6).put((byte) 4).putShort((short) 1)
            .put(senderMac).put(senderIp).put(new byte[6]).put(targetIp).array();
        return ethernet(dst, senderMac, ETHERTYPE_ARP, arp);
    }

    /** True if {@code frame} is an ARP reply (operation 2) addressed to the hardware address {@code mac}. */
    public static boolean isArpReplyTo(byte[] frame, byte[] mac) {
        if (etherType(frame) != ETHERTYPE_ARP || frame.length < 14 + 28) {
            return false;
        }
        int operation = ((frame[14 + 6] & 0xff) << 8) | (frame[14 + 7] & 0xff);
        return operation == 2 && java.util.Arrays.equals(frame, 14 + 18, 14 + 24, mac, 0, 6);
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}. */
    public static int checksum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[offset + i] & 0xff;
            int low = i + 1 < length ? bytes[offset + i + 1] & 0xff : 0;
            sum += (high << 8) | low;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The frame's EtherType, or -1 if it is shorter than an Ethernet header. */
    public static int etherType(byte[] frame) {
        return frame.length < 14 ? -1 : ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
    }

    /** The frame's source MAC as {@code aa:bb:..}. */
    public static String sourceMac(byte[] frame) {
        return HexFormat.ofDelimiter(":").formatHex(frame, 6, 12);
    }

    /**
     * The DHCP message type (option 53) if {@code frame} is IPv4/UDP to port 67 carrying a BOOTP request with
     * the DHCP magic cookie, else -1.
     */
    public static int dhcpMessageType(byte[] frame) {
        if (etherType(frame) != ETHERTYPE_IPV4 || frame.length < 14 + 20 + 8 + 240) {
            return -1;
        }
        int ip = 14;
        int ihl = (frame[ip] & 0x0f) * 4;
        if (frame[ip + 9] != 17) {
            return -1;
        }
        int udp = ip + ihl;
        int dstPort = ((frame[udp + 2] & 0xff) << 8) | (frame[udp + 3] & 0xff);
        int bootp = udp + 8;
        if (dstPort != 67 || frame.length < bootp + 240 || frame[bootp] != 1) {
            return -1;
        }
        int cookie = ByteBuffer.wrap(frame, bootp + 236, 4).getInt();
        if (cookie != 0x63825363) {
            return -1;
        }
        for (int at = bootp + 240; at + 1 < frame.length; ) {
            int code = frame[at] & 0xff;
            if (code == 255) {
                break;
            }
            if (code == 0) {
                at++;
                continue;
            }
            int length = frame[at + 1] & 0xff;
            if (code == 53 && length == 1 && at + 2 < frame.length) {
                return frame[at + 2] & 0xff;
            }
            at += 2 + length;
        }
        return -1;
    }
}
