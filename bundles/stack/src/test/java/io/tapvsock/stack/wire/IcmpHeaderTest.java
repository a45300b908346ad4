package io.tapvsock.stack.wire;

import static io.tapvsock.stack.wire.WireTesting.assertBytes;
import static io.tapvsock.stack.wire.WireTesting.bytes;
import static io.tapvsock.stack.wire.WireTesting.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class IcmpHeaderTest {

    /** Echo request, identifier 0x1234, sequence 1, data "abcd". */
    static final byte[] ECHO_BYTES = bytes(0x08, 0x00, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, 'a', 'b', 'c', 'd');

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(ECHO_BYTES);
        IcmpHeader header = new IcmpHeader();
        assertNull(header.wrapChecked(buf, 0, 12));
        assertEquals(8, header.type());
        assertEquals(0, header.code());
        assertEquals(0x2104, header.checksum());
        assertEquals(0x1234, header.identifier());
        assertEquals(1, header.sequence());
        assertEquals(8, header.dataOffset());
        assertEquals(4, header.dataLength());
        assertTrue(header.checksumValid());
        buf.release();
    }

    @Test
    void construct() {
        ByteBuf buf = filled(12);
        buf.setBytes(8, ECHO_BYTES, 8, 4);
        IcmpHeader header = new IcmpHeader().wrapUnchecked(buf, 0, 12);
        header.setType(8);
        header.setCode(0);
        header.setIdentifier(0x1234);
        header.setSequence(1);
        header.fillChecksum();
        assertBytes(ECHO_BYTES, buf);
        buf.release();
    }

    @Test
    void parseAndEmit() {
        ByteBuf buf = Unpooled.wrappedBuffer(ECHO_BYTES);
        IcmpRepr repr = IcmpRepr.parse(new IcmpHeader().wrapUnchecked(buf, 0, 12));
        assertEquals(new IcmpRepr(8, 0, 0x1234, 1, 4), repr);
        buf.release();
        ByteBuf out = filled(12);
        out.setBytes(8, ECHO_BYTES, 8, 4);
        repr.emit(new IcmpHeader().wrapUnchecked(out, 0, repr.messageLen()));
        assertBytes(ECHO_BYTES, out);
        out.release();
    }

    @Test
    void checkLenTruncated() {
        ByteBuf buf = Unpooled.wrappedBuffer(ECHO_BYTES);
        assertEquals("icmp-truncated", new IcmpHeader().wrapChecked(buf, 0, 7));
        buf.release();
    }

    @Test
    void parseRefusesBadChecksumAndOtherTypes() {
        byte[] corrupt = ECHO_BYTES.clone();
        corrupt[11] = 'e';
        assertParseFails(corrupt, "icmp-bad-checksum");
        byte[] unreachable = ECHO_BYTES.clone();
        unreachable[0] = 3;
        fill(unreachable);
        assertParseFails(unreachable, "icmp-unsupported-type");
        byte[] code = ECHO_BYTES.clone();
        code[1] = 1;
        fill(code);
        assertParseFails(code, "icmp-bad-code");
    }

    private static void fill(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        new IcmpHeader().wrapUnchecked(buf, 0, bytes.length).fillChecksum();
        buf.release();
    }

    private static void assertParseFails(byte[] bytes, String reason) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        IcmpHeader header = new IcmpHeader().wrapUnchecked(buf, 0, bytes.length);
        assertEquals(reason, assertThrows(WireException.class, () -> IcmpRepr.parse(header)).reason());
        buf.release();
    }
}
