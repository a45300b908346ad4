package io.tapvsock.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TcpHeader and TcpRepr against byte arrays (style.md §8). */
class TcpReprTest {

    private static final int SRC = 0xC0A8_7F02; // 192.168.127.2
    private static final int DST = 0x7F00_0001; // 127.0.0.1

    /** A Linux-style SYN: MSS 1460, SACK permitted, timestamps 1/0, NOP, window scale 7; checksum left 0. */
    private static final byte[] SYN_BYTES = bytes(
            0xc3, 0x50, 0x00, 0x50, // ports 50000 > 80
            0x01, 0x02, 0x03, 0x04, // seq
            0x00, 0x00, 0x00, 0x00, // ack
            0xa0, 0x02, 0xfa, 0xf0, // data offset 10, SYN, window 64240
            0x00, 0x00, 0x00, 0x00, // checksum, urgent
            0x02, 0x04, 0x05, 0xb4, // MSS 1460
            0x04, 0x02, // SACK permitted
            0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // timestamps 1/0
            0x01, // NOP
            0x03, 0x03, 0x07); // window scale 7

    /** What emit writes for the same SYN: each option padded with leading NOPs; checksum zeroed for comparison. */
    private static final byte[] EMITTED_SYN = bytes(
            0xc3, 0x50, 0x00, 0x50,
            0x01, 0x02, 0x03, 0x04,
            0x00, 0x00, 0x00, 0x00,
            0xb0, 0x02, 0xfa, 0xf0,
            0x00, 0x00, 0x00, 0x00,
            0x02, 0x04, 0x05, 0xb4,
            0x01, 0x03, 0x03, 0x07,
            0x01, 0x01, 0x04, 0x02,
            0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00);

    private static TcpRepr synRepr() {
        return TcpRepr.of(50000, 80, 0x01020304, 0, TcpHeader.SYN, 64240).withMss(1460).withWindowScale(7)
                .withSackPermitted(true).withTimestamps(1, 0);
    }

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(SYN_BYTES);
        try {
            TcpHeader header = new TcpHeader();
            assertNull(header.wrapChecked(buf, 0, SYN_BYTES.length));
            assertEquals(50000, header.sourcePort());
            assertEquals(80, header.destinationPort());
            assertEquals(0x01020304, header.sequence());
            assertEquals(0, header.acknowledgment());
            assertEquals(40, header.headerLen());
            assertEquals(TcpHeader.SYN, header.flags());
            assertTrue(header.has(TcpHeader.SYN));
            assertFalse(header.has(TcpHeader.ACK));
            assertEquals(64240, header.window());
            assertEquals(0, header.checksum());
            assertEquals(0, header.urgentPointer());
            assertEquals(20, header.optionsLength());
            assertEquals(0, header.payloadLength());
        } finally {
            buf.release();
        }
    }

    @Test
    void parse_readsEveryOption() {
        ByteBuf buf = Unpooled.wrappedBuffer(SYN_BYTES);
        try {
            TcpRepr repr = TcpRepr.parse(new TcpHeader().wrapUnchecked(buf, 0, SYN_BYTES.length));
            assertEquals(synRepr(), repr);
        } finally {
            buf.release();
        }
    }

    @Test
    void construct_settersWriteTheFields() {
        ByteBuf buf = Unpooled.buffer(20);
        try {
            buf.writeBytes(filled(20));
            TcpHeader header = new TcpHeader().wrapUnchecked(buf, 0, 20);
            header.setSourcePort(50000);
            header.setDestinationPort(80);
            header.setSequence(0x01020304);
            header.setAcknowledgment(0);
            header.setHeaderLen(20);
            header.setFlags(TcpHeader.SYN);
            header.setWindow(64240);
            header.setChecksum(0);
            header.setUrgentPointer(0);
            byte[] expected = Arrays.copyOf(SYN_BYTES, 20);
            expected[12] = 0x50;
            assertArrayEquals(expected, ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void emit_writesHeaderOptionsAndAValidChecksum() {
        TcpRepr repr = synRepr();
        assertEquals(EMITTED_SYN.length, repr.headerLen());
        ByteBuf buf = Unpooled.buffer(repr.headerLen());
        try {
            buf.writeBytes(filled(repr.headerLen()));
            TcpHeader header = new TcpHeader().wrapUnchecked(buf, 0, repr.headerLen());
            repr.emit(header, SRC, DST, null);
            assertTrue(header.checksumValid(SRC, DST));
            assertEquals(repr, TcpRepr.parse(header));
            buf.setShort(16, 0);
            assertArrayEquals(EMITTED_SYN, ByteBufUtil.getBytes(buf));
        } finally {
            buf.release();
        }
    }

    @Test
    void emit_checksumCoversAPayloadInAnotherBuffer() {
        TcpRepr repr = TcpRepr.of(80, 50000, 7, 9, TcpHeader.ACK | TcpHeader.PSH, 1000);
        ByteBuf header = Unpooled.buffer(20).writerIndex(20);
        ByteBuf payload = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5});
        ByteBuf whole = Unpooled.buffer(25);
        try {
            repr.emit(new TcpHeader().wrapUnchecked(header, 0, 20), SRC, DST, payload);
            whole.writeBytes(header, 0, 20).writeBytes(payload, 0, 5);
            TcpHeader view = new TcpHeader();
            assertNull(view.wrapChecked(whole, 0, 25));
            assertTrue(view.checksumValid(SRC, DST));
            assertEquals(5, view.payloadLength());
            assertEquals(20, view.payloadOffset());
        } finally {
            header.release();
            payload.release();
            whole.release();
        }
    }

    @Test
    void emitAndParse_sackBlocks() {
        TcpRepr repr = TcpRepr.of(1, 2, 3, 4, TcpHeader.ACK, 5).withTimestamps(9, 8)
                .withSackBlocks(List.of(new TcpRepr.SackBlock(100, 200), new TcpRepr.SackBlock(300, 400)));
        ByteBuf buf = Unpooled.buffer(repr.headerLen()).writerIndex(repr.headerLen());
        try {
            repr.emit(new TcpHeader().wrapUnchecked(buf, 0, repr.headerLen()), SRC, DST, null);
            assertEquals(repr, TcpRepr.parse(new TcpHeader().wrapUnchecked(buf, 0, repr.headerLen())));
        } finally {
            buf.release();
        }
    }

    @Test
    void checkLen_truncated() {
        ByteBuf buf = Unpooled.wrappedBuffer(Arrays.copyOf(SYN_BYTES, 19));
        try {
            assertEquals("tcp-truncated", new TcpHeader().wrapChecked(buf, 0, 19));
        } finally {
            buf.release();
        }
    }

    @Test
    void checkLen_dataOffsetBelowFive() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[12] = 0x40;
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            assertEquals("tcp-bad-data-offset", new TcpHeader().wrapChecked(buf, 0, bytes.length));
        } finally {
            buf.release();
        }
    }

    @Test
    void checkLen_dataOffsetBeyondSegment() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[12] = (byte) 0xf0;
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            assertEquals("tcp-data-offset-overflow", new TcpHeader().wrapChecked(buf, 0, bytes.length));
        } finally {
            buf.release();
        }
    }

    @Test
    void parse_optionWithWrongLength() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[21] = 3; // MSS of length 3
        assertReason("tcp-bad-option", bytes);
    }

    @Test
    void parse_optionRunningPastTheHeader() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[38] = 9; // window scale claims 9 bytes
        assertReason("tcp-bad-option", bytes);
    }

    @Test
    void parse_synWithFin() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[13] = TcpHeader.SYN | TcpHeader.FIN;
        assertReason("tcp-bad-flags", bytes);
    }

    @Test
    void parse_unknownOptionIsSkipped() {
        byte[] bytes = SYN_BYTES.clone();
        bytes[24] = 30; // SACK permitted becomes an unknown kind of length 2
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            TcpRepr repr = TcpRepr.parse(new TcpHeader().wrapUnchecked(buf, 0, bytes.length));
            assertEquals(synRepr().withSackPermitted(false), repr);
        } finally {
            buf.release();
        }
    }

    private static void assertReason(String reason, byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            TcpHeader header = new TcpHeader();
            assertNull(header.wrapChecked(buf, 0, bytes.length));
            WireException e = assertThrows(WireException.class, () -> TcpRepr.parse(header));
            assertEquals(reason, e.reason());
        } finally {
            buf.release();
        }
    }

    private static byte[] filled(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xA5);
        return bytes;
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
