package io.tapvsock.stack.wire;

import static io.tapvsock.stack.wire.WireTesting.assertBytes;
import static io.tapvsock.stack.wire.WireTesting.bytes;
import static io.tapvsock.stack.wire.WireTesting.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {

    /** 192.168.127.2 to 192.168.127.1, UDP, DF, TTL 64, 12 bytes of payload. */
    static final byte[] PACKET_BYTES = bytes(
            0x45, 0x00, 0x00, 0x20, 0x00, 0x00, 0x40, 0x00,
            0x40, 0x11, 0xbb, 0x78, 0xc0, 0xa8, 0x7f, 0x02,
            0xc0, 0xa8, 0x7f, 0x01,
            0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x8c, 0x92, 'p', 'i', 'n', 'g');

    static Ipv4Repr packetRepr() {
        return new Ipv4Repr(0xC0A87F02, 0xC0A87F01, Ipv4Header.PROTOCOL_UDP, 12, 64);
    }

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(PACKET_BYTES);
        Ipv4Header header = new Ipv4Header();
        assertNull(header.wrapChecked(buf, 0, PACKET_BYTES.length));
        assertEquals(4, header.version());
        assertEquals(20, header.headerLength());
        assertEquals(0, header.dscpEcn());
        assertEquals(32, header.totalLength());
        assertEquals(0, header.identification());
        assertEquals(0x4000, header.flagsAndFragmentOffset());
        assertEquals(true, header.dontFragment());
        assertFalse(header.isFragment());
        assertEquals(64, header.ttl());
        assertEquals(17, header.protocol());
        assertEquals(0xbb78, header.checksum());
        assertEquals(0xC0A87F02, header.source());
        assertEquals(0xC0A87F01, header.destination());
        assertEquals(20, header.payloadOffset());
        assertEquals(12, header.payloadLength());
        assertNull(header.judge());
        buf.release();
    }

    @Test
    void construct() {
        ByteBuf buf = filled(20);
        Ipv4Header header = new Ipv4Header().wrapUnchecked(buf, 0, 20);
        header.setHeaderLength(20);
        header.setDscpEcn(0);
        header.setTotalLength(32);
        header.setIdentification(0);
        header.setFlagsAndFragmentOffset(0x4000);
        header.setTtl(64);
        header.setProtocol(17);
        header.setSource(0xC0A87F02);
        header.setDestination(0xC0A87F01);
        header.fillChecksum();
        assertBytes(java.util.Arrays.copyOf(PACKET_BYTES, 20), buf);
        buf.release();
    }

    @Test
    void parseAndEmit() {
        ByteBuf buf = Unpooled.wrappedBuffer(PACKET_BYTES);
        assertEquals(packetRepr(), Ipv4Repr.parse(new Ipv4Header().wrapUnchecked(buf, 0, PACKET_BYTES.length)));
        buf.release();
        ByteBuf out = filled(20);
        packetRepr().emit(new Ipv4Header().wrapUnchecked(out, 0, 20));
        assertBytes(java.util.Arrays.copyOf(PACKET_BYTES, 20), out);
        out.release();
    }

    @Test
    void checkLenTruncated() {
        assertCheckLen(PACKET_BYTES, 19, "ipv4-truncated");
    }

    @Test
    void checkLenSmallIhl() {
        byte[] bytes = PACKET_BYTES.clone();
        bytes[0] = 0x44;
        assertCheckLen(bytes, bytes.length, "ipv4-bad-ihl");
    }

    @Test
    void checkLenOptionsPastTheEnd() {
        byte[] bytes = PACKET_BYTES.clone();
        bytes[0] = 0x4F; // 60-byte header in a 32-byte packet
        assertCheckLen(bytes, bytes.length, "ipv4-header-truncated");
    }

    @Test
    void checkLenTotalLengthBelowHeader() {
        byte[] bytes = PACKET_BYTES.clone();
        bytes[3] = 19;
        assertCheckLen(bytes, bytes.length, "ipv4-bad-total-length");
    }

    @Test
    void checkLenTotalLengthOverflow() {
        assertCheckLen(PACKET_BYTES, 31, "ipv4-total-length-overflow");
    }

    @Test
    void ethernetPaddingAfterTotalLengthIsAllowed() {
        ByteBuf buf = Unpooled.wrappedBuffer(PACKET_BYTES, new byte[14]);
        Ipv4Header header = new Ipv4Header();
        assertNull(header.wrapChecked(buf, 0, PACKET_BYTES.length + 14));
        assertEquals(12, header.payloadLength());
        buf.release();
    }

    @Test
    void judgeRefusesVersionChecksumAndFragments() {
        assertJudge(0, 0x65, "ipv4-bad-version");
        assertJudge(11, 0x79, "ipv4-bad-checksum");
        byte[] moreFragments = PACKET_BYTES.clone();
        moreFragments[6] = 0x20; // MF, offset 0
        refill(moreFragments);
        assertParseFails(moreFragments, "ipv4-fragment");
        byte[] lastFragment = PACKET_BYTES.clone();
        lastFragment[6] = 0x00;
        lastFragment[7] = 0x10; // offset 16 * 8
        refill(lastFragment);
        assertParseFails(lastFragment, "ipv4-fragment");
    }

    @Test
    void optionsAreTolerated() {
        byte[] bytes = new byte[24 + 12];
        System.arraycopy(PACKET_BYTES, 0, bytes, 0, 20);
        bytes[20] = 0x01; // NOP options
        bytes[21] = 0x01;
        bytes[22] = 0x01;
        bytes[23] = 0x00; // end of options
        System.arraycopy(PACKET_BYTES, 20, bytes, 24, 12);
        bytes[0] = 0x46;
        bytes[3] = 36;
        refill(bytes);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        Ipv4Header header = new Ipv4Header();
        assertNull(header.wrapChecked(buf, 0, bytes.length));
        assertNull(header.judge());
        assertEquals(24, header.payloadOffset());
        assertEquals(12, header.payloadLength());
        buf.release();
    }

    private static void refill(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        new Ipv4Header().wrapUnchecked(buf, 0, bytes.length).fillChecksum();
        buf.release();
    }

    private static void assertJudge(int index, int value, String reason) {
        byte[] bytes = PACKET_BYTES.clone();
        bytes[index] = (byte) value;
        assertParseFails(bytes, reason);
    }

    private static void assertParseFails(byte[] bytes, String reason) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        Ipv4Header header = new Ipv4Header();
        assertNull(header.wrapChecked(buf, 0, bytes.length));
        assertEquals(reason, header.judge());
        assertEquals(reason, assertThrows(WireException.class, () -> Ipv4Repr.parse(header)).reason());
        buf.release();
    }

    private static void assertCheckLen(byte[] bytes, int len, String reason) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertEquals(reason, new Ipv4Header().wrapChecked(buf, 0, len));
        buf.release();
    }
}
