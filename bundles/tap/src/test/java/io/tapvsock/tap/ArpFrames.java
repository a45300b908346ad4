package io.tapvsock.tap;

import java.nio.ByteBuffer;

/** Builds and recognises the ARP frames (RFC 826) the tests trade with a kernel behind a TAP. */
public final class ArpFrames {

    public static final int LENGTH = 42;

    private ArpFrames() {
    }

    /** Whether frame[offset..offset+length) is an ARP request asking for targetIp (absolute reads). */
    public static boolean isRequestFor(ByteBuffer frame, int offset, int length, byte[] targetIp) {
        if (length < LENGTH || frame.getShort(offset + 12) != 0x0806 || frame.getShort(offset + 20) != 1) {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (frame.get(offset + 38 + i) != targetIp[i]) {
                return false;
            }
        }
        return true;
    }

    /** The sender MAC of an ARP frame. */
    public static byte[] senderMac(ByteBuffer frame, int offset) {
        byte[] mac = new byte[6];
        frame.get(offset + 22, mac);
        return mac;
    }

    /** A 42-byte ARP reply "senderIp is at senderMac", sent to targetMac/targetIp. */
    public static byte[] reply(byte[] senderMac, byte[] senderIp, byte[] targetMac, byte[] targetIp) {
        ByteBuffer frame = ByteBuffer.allocate(LENGTH);
        frame.put(targetMac).put(senderMac).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 2);
        frame.put(senderMac).put(senderIp).put(targetMac).put(targetIp);
        return frame.array();
    }
}
