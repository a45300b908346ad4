package io.tapvsock.stack.icmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.Checksum;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EchoMessagesTest {

    /** An echo reply, id 0xbeef seq 256, "abcde" (odd length: the last byte is a high byte), checksum 0x1649. */
    private static final byte[] HOST_REPLY = HexFormat.of().parseHex("00001649" + "beef0100" + "6162636465");
    /** The same reply with the guest's id 0x1234 and seq 7: checksum 0xc3fd. */
    private static final byte[] GUEST_REPLY = HexFormat.of().parseHex("0000c3fd" + "12340007" + "6162636465");

    @Test
    void rewriteSetsIdentifierAndSequenceAndRecomputesTheChecksum() {
        ByteBuf buf = Unpooled.buffer().writeZero(3).writeBytes(HOST_REPLY);
        try {
            EchoMessages.rewrite(buf, 3, HOST_REPLY.length, 0x1234, 7);
            assertEquals(HexFormat.of().formatHex(GUEST_REPLY),
                    HexFormat.of().formatHex(ByteBufUtil.getBytes(buf, 3, HOST_REPLY.length)));
            assertTrue(Checksum.verifies(Checksum.add(buf, 3, HOST_REPLY.length, 0)));
            assertEquals(0, buf.getByte(0) | buf.getByte(1) | buf.getByte(2), "nothing outside the message changes");
        } finally {
            buf.release();
        }
    }

    @Test
    void rewriteBackIsTheIdentity() {
        ByteBuf buf = Unpooled.wrappedBuffer(GUEST_REPLY.clone());
        try {
            EchoMessages.rewrite(buf, 0, GUEST_REPLY.length, 0xbeef, 0x0100);
            assertEquals(HexFormat.of().formatHex(HOST_REPLY), ByteBufUtil.hexDump(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void rewriteHandlesTheExtremes() {
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex("0000ffff" + "00000000"));
        try {
            EchoMessages.rewrite(buf, 0, 8, 0xFFFF, 0xFFFF);
            assertEquals("ffff", ByteBufUtil.hexDump(buf, 4, 2));
            assertEquals("ffff", ByteBufUtil.hexDump(buf, 6, 2));
            assertTrue(Checksum.verifies(Checksum.add(buf, 0, 8, 0)));
        } finally {
            buf.release();
        }
    }

    @Test
    void theIcmpMessageIsFoundAfterTheRawPacketsIpHeader() {
        byte[] plain = HexFormat.of().parseHex("45000021000040004001" + "0000" + "7f000001" + "7f000001"
                + HexFormat.of().formatHex(HOST_REPLY));
        ByteBuf buf = Unpooled.wrappedBuffer(plain);
        try {
            assertEquals(20, EchoMessages.icmpOffsetInRawPacket(buf, plain.length));
            assertEquals(0x7F000001, EchoMessages.rawSource(buf));
            assertEquals(-1, EchoMessages.icmpOffsetInRawPacket(buf, 27), "no whole ICMP header");
            assertEquals(-1, EchoMessages.icmpOffsetInRawPacket(buf, 19), "no whole IP header");
        } finally {
            buf.release();
        }
        byte[] withOptions = HexFormat.of().parseHex("46000025000040004001" + "0000" + "0a000001" + "7f000001"
                + "01010100" + HexFormat.of().formatHex(HOST_REPLY));
        buf = Unpooled.wrappedBuffer(withOptions);
        try {
            assertEquals(24, EchoMessages.icmpOffsetInRawPacket(buf, withOptions.length));
            assertEquals(0x0A000001, EchoMessages.rawSource(buf));
        } finally {
            buf.release();
        }
        byte[] udp = plain.clone();
        udp[9] = 17;
        buf = Unpooled.wrappedBuffer(udp);
        try {
            assertEquals(-1, EchoMessages.icmpOffsetInRawPacket(buf, udp.length));
        } finally {
            buf.release();
        }
        byte[] ipv6 = plain.clone();
        ipv6[0] = 0x65;
        buf = Unpooled.wrappedBuffer(ipv6);
        try {
            assertEquals(-1, EchoMessages.icmpOffsetInRawPacket(buf, ipv6.length));
        } finally {
            buf.release();
        }
    }
}
