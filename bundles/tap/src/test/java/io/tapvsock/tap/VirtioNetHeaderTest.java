package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VirtioNetHeaderTest {

    /** NEEDS_CSUM, TCPV4, hdr_len 54, gso_size 1448, csum_start 34, csum_offset 16 (little-endian u16s). */
    private static final byte[] SUPER_SEGMENT = HexFormat.of().parseHex("0101" + "3600" + "a805" + "2200" + "1000");

    private static final long GUEST_MAC = 0x02_00_00_00_00_01L;
    private static final long PEER_MAC = 0x02_00_00_00_00_02L;
    private static final int GUEST_IP = 0x0a_63_00_01;
    private static final int PEER_IP = 0x0a_63_00_02;

    @Test
    void deconstruct_readsEachFieldLittleEndian() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[3], SUPER_SEGMENT);
        try {
            assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.flags(buf, 3));
            assertEquals(VirtioNetHeader.GSO_TCPV4, VirtioNetHeader.gsoType(buf, 3));
            assertEquals(54, VirtioNetHeader.headerLength(buf, 3));
            assertEquals(1448, VirtioNetHeader.gsoSize(buf, 3));
            assertEquals(34, VirtioNetHeader.checksumStart(buf, 3));
            assertEquals(16, VirtioNetHeader.checksumOffset(buf, 3));
            assertTrue(VirtioNetHeader.offloaded(buf, 3));
        } finally {
            buf.release();
        }
    }

    @Test
    void construct_writesEveryField_overA5Filler() {
        ByteBuf buf = filled(12);
        try {
            VirtioNetHeader.set(buf, 1, 1, 1, 54, 1448, 34, 16);
            assertArrayEquals(SUPER_SEGMENT, ByteBufUtil.getBytes(buf, 1, 10));
            assertEquals((byte) 0xA5, buf.getByte(0));
            assertEquals((byte) 0xA5, buf.getByte(11));

            VirtioNetHeader.setComplete(buf, 1);
            assertArrayEquals(new byte[10], ByteBufUtil.getBytes(buf, 1, 10));
            assertFalse(VirtioNetHeader.offloaded(buf, 1));
        } finally {
            buf.release();
        }
    }

    @Test
    void checkReceived_acceptsWhatTheKernelSends() {
        assertNull(check("00000000000000000000", 60)); // nothing to offload
        assertNull(check("02000000000000000000", 60)); // DATA_VALID
        assertNull(check("01000000000022001000", 66)); // NEEDS_CSUM, TCP checksum at 34 + 16
        assertNull(check("0101" + "4200" + "a805" + "2200" + "1000", 30000)); // a TCP/IPv4 super-segment
    }

    @Test
    void checkReceived_refusesWhatWeCannotHonour_oneReasonEach() {
        assertEquals("vnet-unknown-flags", check("04000000000000000000", 60));
        assertEquals("vnet-gso-unsupported", check("0104" + "4a00" + "a805" + "3600" + "1000", 30000)); // TCPV6
        assertEquals("vnet-gso-unsupported", check("0003" + "2a00" + "a805" + "2200" + "0600", 30000)); // UFO
        assertEquals("vnet-gso-unsupported", check("0181" + "4200" + "a805" + "2200" + "1000", 30000)); // ECN
        assertEquals("vnet-gso-size-zero", check("0101" + "4200" + "0000" + "2200" + "1000", 30000));
        assertEquals("vnet-checksum-outside-frame", check("01000000000022001000", 51)); // 34 + 16 + 2 > 51
    }

    @Test
    void tcpOffload_superSegment_getsNeedsCsumAndTcpv4() {
        ByteBuf frame = tcp(20000);
        ByteBuf header = filled(10);
        try {
            assertNull(VirtioNetHeader.checkTcpFrame(frame, 1448));
            assertEquals(20000, VirtioNetHeader.tcpPayloadLength(frame));
            VirtioNetHeader.setTcpOffload(header, 0, frame, 1448);
            assertArrayEquals(SUPER_SEGMENT, ByteBufUtil.getBytes(header));
        } finally {
            frame.release();
            header.release();
        }
    }

    @Test
    void tcpOffload_withoutSegmentation_getsNeedsCsumOnly() {
        ByteBuf frame = tcp(100);
        ByteBuf header = filled(10);
        try {
            VirtioNetHeader.setTcpOffload(header, 0, frame, 0);
            assertArrayEquals(HexFormat.of().parseHex("0100" + "3600" + "0000" + "2200" + "1000"),
                    ByteBufUtil.getBytes(header));
        } finally {
            frame.release();
            header.release();
        }
    }

    @Test
    void tcpOffload_readsTheFrameAtItsReaderIndex_andCountsIpAndTcpOptions() {
        ByteBuf frame = tcp(3000);
        ByteBuf shifted = Unpooled.buffer();
        ByteBuf header = filled(10);
        try {
            shifted.writeZero(7).writeBytes(frame).readerIndex(7);
            assertNull(VirtioNetHeader.checkTcpFrame(shifted, 1448));
            VirtioNetHeader.setTcpOffload(header, 0, shifted, 1448);
            assertEquals(54, VirtioNetHeader.headerLength(header, 0));

            // IHL 6 (4 bytes of options) and a TCP data offset of 8 (12 bytes of options): the payload shrinks.
            shifted.setByte(7 + 14, 0x46);
            shifted.setByte(7 + 14 + 24 + 12, 8 << 4);
            assertNull(VirtioNetHeader.checkTcpFrame(shifted, 1448));
            assertEquals(3000 - 4 - 12, VirtioNetHeader.tcpPayloadLength(shifted));
            VirtioNetHeader.setTcpOffload(header, 0, shifted, 1448);
            assertEquals(14 + 24, VirtioNetHeader.checksumStart(header, 0));
            assertEquals(14 + 24 + 32, VirtioNetHeader.headerLength(header, 0));
            assertEquals(16, VirtioNetHeader.checksumOffset(header, 0));
        } finally {
            frame.release();
            shifted.release();
            header.release();
        }
    }

    @Test
    void checkTcpFrame_refusesWhatTheGuestCouldNotSegment() {
        ByteBuf frame = tcp(3000);
        try {
            assertEquals("segmented-bad-segment-size", VirtioNetHeader.checkTcpFrame(frame, 0));
            assertEquals("segmented-bad-segment-size", VirtioNetHeader.checkTcpFrame(frame, 0xFFFF));
            frame.setByte(14 + 9, 17); // UDP
            assertEquals("segmented-not-tcp-ipv4", VirtioNetHeader.checkTcpFrame(frame, 1448));
            frame.setByte(14 + 9, 6);
            frame.setShort(12, 0x86DD); // IPv6 EtherType
            assertEquals("segmented-not-tcp-ipv4", VirtioNetHeader.checkTcpFrame(frame, 1448));
            frame.setShort(12, 0x0800);
            frame.setShort(14 + 2, 20 + 20 + 2999); // total length short of the frame: padding
            assertEquals("segmented-bad-length", VirtioNetHeader.checkTcpFrame(frame, 1448));
            frame.setShort(14 + 2, 20 + 20 + 3000);
            frame.setByte(14 + 20 + 12, 4 << 4); // TCP data offset below 5
            assertEquals("segmented-bad-length", VirtioNetHeader.checkTcpFrame(frame, 1448));
            frame.setByte(14 + 20 + 12, 5 << 4);
            assertNull(VirtioNetHeader.checkTcpFrame(frame, 1448));
        } finally {
            frame.release();
        }
        ByteBuf runt = Unpooled.wrappedBuffer(new byte[14 + 20 + 19]);
        try {
            assertEquals("segmented-not-tcp-ipv4", VirtioNetHeader.checkTcpFrame(runt, 1448));
        } finally {
            runt.release();
        }
    }

    private static String check(String hexHeader, int frameLength) {
        ByteBuf buf = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hexHeader));
        try {
            return VirtioNetHeader.checkReceived(buf, 0, frameLength);
        } finally {
            buf.release();
        }
    }

    /** Ethernet + IPv4 + TCP (no options) with a zero payload of that size; checksums are not needed here. */
    private static ByteBuf tcp(int payload) {
        ByteBuf frame = Unpooled.buffer(14 + 20 + 20 + payload);
        frame.writeShort((int) (PEER_MAC >>> 32)).writeInt((int) PEER_MAC);
        frame.writeShort((int) (GUEST_MAC >>> 32)).writeInt((int) GUEST_MAC);
        frame.writeShort(0x0800);
        frame.writeByte(0x45).writeByte(0).writeShort(20 + 20 + payload).writeInt(0);
        frame.writeByte(64).writeByte(6).writeShort(0).writeInt(GUEST_IP).writeInt(PEER_IP);
        frame.writeShort(40000).writeShort(5001).writeInt(1).writeInt(1);
        frame.writeByte(5 << 4).writeByte(0x10).writeShort(65535).writeShort(0).writeShort(0);
        return frame.writeZero(payload);
    }

    private static ByteBuf filled(int length) {
        ByteBuf buf = Unpooled.buffer(length);
        for (int i = 0; i < length; i++) {
            buf.writeByte(0xA5);
        }
        return buf;
    }
}
