package io.tapvsock.stack.wire;

import static io.tapvsock.stack.wire.WireTesting.assertBytes;
import static io.tapvsock.stack.wire.WireTesting.bytes;
import static io.tapvsock.stack.wire.WireTesting.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class UdpHeaderTest {

    static final int SOURCE = 0xC0A87F02;
    static final int DESTINATION = 0xC0A87F01;
    /** 5353 to 53, "ping", checksummed with the pseudo-header of 192.168.127.2 to 192.168.127.1. */
    static final byte[] DATAGRAM_BYTES = bytes(0x14, 0xe9, 0x00, 0x35, 0x00, 0x0c, 0x8c, 0x92, 'p', 'i', 'n', 'g');

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(DATAGRAM_BYTES);
        UdpHeader header = new UdpHeader();
        assertNull(header.wrapChecked(buf, 0, 12));
        assertEquals(5353, header.sourcePort());
        assertEquals(53, header.destinationPort());
        assertEquals(12, header.length());
        assertEquals(0x8c92, header.checksum());
        assertEquals(8, header.payloadOffset());
        assertEquals(4, header.payloadLength());
        assertTrue(header.checksumValid(SOURCE, DESTINATION));
        assertFalse(header.checksumValid(SOURCE, DESTINATION + 1));
        buf.release();
    }

    @Test
    void construct() {
        ByteBuf buf = filled(12);
        buf.setBytes(8, DATAGRAM_BYTES, 8, 4);
        UdpHeader header = new UdpHeader().wrapUnchecked(buf, 0, 12);
        header.setSourcePort(5353);
        header.setDestinationPort(53);
        header.setLength(12);
        header.fillChecksum(SOURCE, DESTINATION);
        assertBytes(DATAGRAM_BYTES, buf);
        buf.release();
    }

    @Test
    void constructWithPayloadInAnotherBuffer() {
        ByteBuf header = filled(8);
        ByteBuf payload = Unpooled.wrappedBuffer(bytes('p', 'i', 'n', 'g'));
        UdpHeader view = new UdpHeader().wrapUnchecked(header, 0, 8);
        view.setSourcePort(5353);
        view.setDestinationPort(53);
        view.setLength(12);
        view.fillChecksum(SOURCE, DESTINATION, payload, 0, 4);
        assertBytes(java.util.Arrays.copyOf(DATAGRAM_BYTES, 8), header);
        header.release();
        payload.release();
    }

    @Test
    void parseAndEmit() {
        ByteBuf buf = Unpooled.wrappedBuffer(DATAGRAM_BYTES);
        UdpRepr repr = UdpRepr.parse(new UdpHeader().wrapUnchecked(buf, 0, 12), SOURCE, DESTINATION);
        assertEquals(new UdpRepr(5353, 53, 4), repr);
        buf.release();
        ByteBuf out = filled(12);
        out.setBytes(8, DATAGRAM_BYTES, 8, 4);
        repr.emit(new UdpHeader().wrapUnchecked(out, 0, 12), SOURCE, DESTINATION);
        assertBytes(DATAGRAM_BYTES, out);
        out.release();
    }

    @Test
    void zeroChecksumMeansNone() {
        byte[] bytes = DATAGRAM_BYTES.clone();
        bytes[6] = 0;
        bytes[7] = 0;
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertTrue(new UdpHeader().wrapUnchecked(buf, 0, 12).checksumValid(SOURCE, DESTINATION));
        buf.release();
    }

    @Test
    void parseRefusesBadChecksum() {
        byte[] bytes = DATAGRAM_BYTES.clone();
        bytes[11] = 'G';
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        UdpHeader header = new UdpHeader().wrapUnchecked(buf, 0, 12);
        assertEquals("udp-bad-checksum",
                assertThrows(WireException.class, () -> UdpRepr.parse(header, SOURCE, DESTINATION)).reason());
        buf.release();
    }

    @Test
    void checkLenTruncated() {
        assertCheckLen(DATAGRAM_BYTES, 7, "udp-truncated");
    }

    @Test
    void checkLenLengthBelowHeader() {
        byte[] bytes = DATAGRAM_BYTES.clone();
        bytes[5] = 7;
        assertCheckLen(bytes, 12, "udp-bad-length");
    }

    @Test
    void checkLenLengthOverflow() {
        assertCheckLen(DATAGRAM_BYTES, 11, "udp-length-overflow");
    }

    private static void assertCheckLen(byte[] bytes, int len, String reason) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        assertEquals(reason, new UdpHeader().wrapChecked(buf, 0, len));
        buf.release();
    }
}
