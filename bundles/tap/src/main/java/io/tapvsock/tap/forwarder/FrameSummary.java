package io.tapvsock.tap.forwarder;

import java.nio.ByteBuffer;

/** One-line description of an Ethernet II frame for -debug logs: "60 bytes 5a:..:ee > ff:..:ff ARP". */
final class FrameSummary {

    private FrameSummary() {
    }

    /** @param frame borrowed: read at absolute indexes offset..offset+length, position untouched */
    static String describe(ByteBuffer frame, int offset, int length) {
        StringBuilder text = new StringBuilder(64).append(length).append(" bytes");
        if (length < 14) {
            return text.append(" (runt)").toString();
        }
        text.append(' ');
        appendMac(text, frame, offset + 6);
        text.append(" > ");
        appendMac(text, frame, offset);
        int type = Short.toUnsignedInt(frame.getShort(offset + 12));
        text.append(' ').append(switch (type) {
            case 0x0800 -> "IPv4";
            case 0x0806 -> "ARP";
            case 0x86dd -> "IPv6";
            case 0x8100 -> "VLAN";
            default -> String.format("type 0x%04x", type);
        });
        return text.toString();
    }

    private static void appendMac(StringBuilder text, ByteBuffer frame, int at) {
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                text.append(':');
            }
            text.append(Character.forDigit((frame.get(at + i) >> 4) & 0xf, 16))
                    .append(Character.forDigit(frame.get(at + i) & 0xf, 16));
        }
    }
}
