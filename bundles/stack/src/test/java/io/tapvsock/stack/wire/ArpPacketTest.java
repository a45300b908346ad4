package io.tapvsock.stack.wire;

import static io.tapvsock.stack.wire.WireTesting.assertBytes;
import static io.tapvsock.stack.wire.WireTesting.bytes;
import static io.tapvsock.stack.wire.WireTesting.filled;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class ArpPacketTest {

    /** 192.168.127.2 (5a:94:ef:e4:0c:ee) asks who has 192.168.127.1. */
    static final byte[] REQUEST_BYTES = bytes(
            0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
            0x5a, 0x94, 0xef, 0xe4, 0x0c, 0xee, 0xc0, 0xa8, 0x7f, 0x02,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0xa8, 0x7f, 0x01);

    static ArpRepr requestRepr() {
        return new ArpRepr(ArpPacket.OPERATION_REQUEST, 0x5a94efe40ceeL, 0xC0A87F02, 0, 0xC0A87F01);
    }

    @Test
    void deconstruct() {
        ByteBuf buf = Unpooled.wrappedBuffer(REQUEST_BYTES);
        ArpPacket packet = new ArpPacket();
        assertNull(packet.wrapChecked(buf, 0, 28));
        assertEquals(1, packet.hardwareType());
        assertEquals(0x0800, packet.protocolType());
        assertEquals(6, packet.hardwareLength());
        assertEquals(4, packet.protocolLength());
        assertEquals(ArpPacket.OPERATION_REQUEST, packet.operation());
        assertEquals(0x5a94efe40ceeL, packet.senderMac());
        assertEquals(0xC0A87F02, packet.senderIp());
        assertEquals(0, packet.targetMac());
        assertEquals(0xC0A87F01, packet.targetIp());
        buf.release();
    }

    @Test
    void construct() {
        ByteBuf buf = filled(28);
        ArpPacket packet = new ArpPacket().wrapUnchecked(buf, 0, 28);
        packet.setHardwareType(1);
        packet.setProtocolType(0x0800);
        packet.setHardwareLength(6);
        packet.setProtocolLength(4);
        packet.setOperation(1);
        packet.setSenderMac(0x5a94efe40ceeL);
        packet.setSenderIp(0xC0A87F02);
        packet.setTargetMac(0);
        packet.setTargetIp(0xC0A87F01);
        assertBytes(REQUEST_BYTES, buf);
        buf.release();
    }

    @Test
    void parseAndEmit() {
        ByteBuf buf = Unpooled.wrappedBuffer(REQUEST_BYTES);
        assertEquals(requestRepr(), ArpRepr.parse(new ArpPacket().wrapUnchecked(buf, 0, 28)));
        buf.release();
        ByteBuf out = filled(28);
        requestRepr().emit(new ArpPacket().wrapUnchecked(out, 0, 28));
        assertBytes(REQUEST_BYTES, out);
        out.release();
    }

    @Test
    void checkLenTruncated() {
        ByteBuf buf = Unpooled.wrappedBuffer(REQUEST_BYTES);
        assertEquals("arp-truncated", new ArpPacket().wrapChecked(buf, 0, 27));
        buf.release();
    }

    @Test
    void parseRefusesOtherHardwareProtocolOrOperation() {
        assertParseFails(0, 0x00, 0x06, "arp-unsupported-hardware");
        assertParseFails(2, 0x86, 0xdd, "arp-unsupported-protocol");
        assertParseFails(6, 0x00, 0x03, "arp-unsupported-operation");
    }

    private static void assertParseFails(int index, int first, int second, String reason) {
        byte[] bytes = REQUEST_BYTES.clone();
        bytes[index] = (byte) first;
        bytes[index + 1] = (byte) second;
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        ArpPacket packet = new ArpPacket().wrapUnchecked(buf, 0, 28);
        assertEquals(reason, assertThrows(WireException.class, () -> ArpRepr.parse(packet)).reason());
        buf.release();
    }
}
