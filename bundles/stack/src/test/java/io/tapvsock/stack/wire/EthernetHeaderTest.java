package io.tapvsock.stack.wire;

import static io.tapvsock.stack.wire.WireTesting.assertBytes;
import static io.tapvsock.stack.wire.WireTesting.bytes;
import static io.tapvsock.stack.wire.WireTesting.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class EthernetHeaderTest {

    static final byte[] FRAME_BYTES = bytes(
            0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xee,
            0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xdd,
            0x08, 0x00,
            0xaa, 0xbb);

    static EthernetRepr frameRepr() {
        return new EthernetRepr(0x5a94efe40ceeL, 0x5a94efe40cddL, EthernetHeader.TYPE_IPV4);
    }

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(FRAME_BYTES);
        EthernetHeader header = new EthernetHeader();
        assertNull(header.wrapChecked(buf, 0, FRAME_BYTES.length));
        assertEquals(0x5a94efe40ceeL, header.destination());
        assertEquals(0x5a94efe40cddL, header.source());
        assertEquals(0x0800, header.etherType());
        assertEquals(14, header.payloadOffset());
        assertEquals(2, header.payloadLength());
        buf.release();
        assertEquals(0, buf.refCnt());
    }

    @Test
    void construct() {
        ByteBuf buf = filled(14);
        EthernetHeader header = new EthernetHeader().wrapUnchecked(buf, 0, 14);
        header.setDestination(0x5a94efe40ceeL);
        header.setSource(0x5a94efe40cddL);
        header.setEtherType(0x0800);
        assertBytes(java.util.Arrays.copyOf(FRAME_BYTES, 14), buf);
        buf.release();
    }

    @Test
    void parseAndEmit() {
        ByteBuf buf = Unpooled.wrappedBuffer(FRAME_BYTES);
        assertEquals(frameRepr(), EthernetRepr.parse(new EthernetHeader().wrapUnchecked(buf, 0, 16)));
        buf.release();
        ByteBuf out = filled(14);
        frameRepr().emit(new EthernetHeader().wrapUnchecked(out, 0, 14));
        assertBytes(java.util.Arrays.copyOf(FRAME_BYTES, 14), out);
        out.release();
    }

    @Test
    void checkLenTruncated() {
        ByteBuf buf = Unpooled.wrappedBuffer(FRAME_BYTES);
        assertEquals("ethernet-truncated", new EthernetHeader().wrapChecked(buf, 0, 13));
        buf.release();
    }

    @Test
    void absoluteIndexesIgnoreReaderIndex() {
        ByteBuf framed = Unpooled.wrappedBuffer(new byte[2], FRAME_BYTES);
        framed.readerIndex(2);
        EthernetHeader header = new EthernetHeader().wrapUnchecked(framed, 2, FRAME_BYTES.length);
        assertEquals(0x5a94efe40cddL, header.source());
        assertEquals(2, framed.readerIndex());
        framed.release();
    }

    @Test
    void multicastBit() {
        assertTrue(EthernetHeader.isMulticast(0xFFFF_FFFF_FFFFL));
        assertTrue(EthernetHeader.isMulticast(0x0100_5e00_0001L));
        assertFalse(EthernetHeader.isMulticast(0x5a94efe40ceeL));
    }
}
