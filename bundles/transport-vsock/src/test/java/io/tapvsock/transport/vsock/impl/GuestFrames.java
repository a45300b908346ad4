package io.tapvsock.transport.vsock.impl;

import java.nio.ByteBuffer;

/** Frames a guest sends to the gateway (192.168.127.1), built by hand: an ARP request and an ICMP echo request. */
final class GuestFrames {

    static final byte[] GATEWAY_IP = {(byte) 192, (byte) 168, 127, 1};

    private GuestFrames() {
    }

    /** RFC 826: who has 192.168.127.1, tell 192.168.127.{lastOctet}. */
    static byte[] arpRequestForGateway(byte[] mac, int lastOctet) {
        ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(mac).put(new byte[] {(byte) 192, (byte) 168, 127, (byte) lastOctet});
        frame.put(new byte[6]).put(GATEWAY_IP);
        return frame.array();
    }

    /** RFC 792: an echo request from 192.168.127.{lastOctet} to the gateway, with 8 bytes of payload. */
    static byte[] icmpEchoToGateway(byte[] mac, byte[] gatewayMac, int lastOctet, int sequence) {
        ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 16);
        frame.put(gatewayMac).put(mac).putShort((short) 0x0800);
        int ip = frame.position();
        frame.put((byte) 0x45).put((byte) 0).putShort((short) 36).putShort((short) sequence).putShort((short) 0)
                .put((byte) 64).put((byte) 1).putShort((short) 0)
                .put(new byte[] {(byte) 192, (byte) 168, 127, (byte) lastOctet}).put(GATEWAY_IP);
        frame.putShort(ip + 10, checksum(frame.array(), ip, 20));
        int icmp = frame.position();
        frame.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) sequence)
                .put("tapvsock".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        frame.putShort(icmp + 2, checksum(frame.array(), icmp, 16));
        return frame.array();
    }

    /** RFC 1071 Internet checksum. */
    static short checksum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = bytes[offset + i] & 0xff;
            int low = i + 1 < length ? bytes[offset + i + 1] & 0xff : 0;
            sum += high << 8 | low;
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    static int etherType(byte[] frame) {
        return (frame[12] & 0xff) << 8 | frame[13] & 0xff;
    }

    static byte[] source(byte[] frame) {
        return java.util.Arrays.copyOfRange(frame, 6, 12);
    }
}
