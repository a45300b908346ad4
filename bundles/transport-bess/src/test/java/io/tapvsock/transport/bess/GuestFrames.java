package io.tapvsock.transport.bess;

import java.nio.ByteBuffer;

/** Frames a guest at 192.168.127.2 (MAC 5a:94:ef:e4:0c:ee) sends to the default gateway, as raw bytes. */
final class GuestFrames {

    static final byte[] GUEST_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};
    static final byte[] GATEWAY_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xdd};
    static final byte[] GUEST_IP = {(byte) 192, (byte) 168, 127, 2};
    static final byte[] GATEWAY_IP = {(byte) 192, (byte) 168, 127, 1};
    static final int ARP = 0x0806;
    static final int IPV4 = 0x0800;

    private GuestFrames() {
    }

    /** ARP who-has 192.168.127.1, from the guest, broadcast (RFC 826). */
    static byte[] arpRequest() {
        ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(GUEST_MAC).putShort((short) ARP);
        frame.putShort((short) 1).putShort((short) IPV4).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(GUEST_MAC).put(GUEST_IP).put(new byte[6]).put(GATEWAY_IP);
        return frame.array();
    }

    /** ICMP echo request to the gateway with {@code payload} (RFC 792). */
    static byte[] echoRequest(int id, int sequence, byte[] payload) {
        int icmpLength = 8 + payload.length;
        ByteBuffer frame = ByteBuffer.allocate(14 + 20 + icmpLength);
        frame.put(GATEWAY_MAC).put(GUEST_MAC).putShort((short) IPV4);
        frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + icmpLength)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 1).putShort((short) 0).put(GUEST_IP)
                .put(GATEWAY_IP);
        frame.putShort(24, checksum(frame.array(), 14, 20));
        frame.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) id).putShort((short) sequence)
                .put(payload);
        frame.putShort(36, checksum(frame.array(), 34, icmpLength));
        return frame.array();
    }

    /** The ARP reply's sender hardware address (bytes 22..27). */
    static byte[] arpSenderMac(byte[] frame) {
        byte[] mac = new byte[6];
        System.arraycopy(frame, 22, mac, 0, 6);
        return mac;
    }

    /** RFC 1071 internet checksum. */
    private static short checksum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += (bytes[offset + i] & 0xff) << 8 | (bytes[offset + i + 1] & 0xff);
        }
        if ((length & 1) != 0) {
            sum += (bytes[offset + length - 1] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
