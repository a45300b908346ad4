package io.tapvsock.service.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.service.dhcp.testing.Fixtures;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DhcpHeaderTest {

    @Test
    void deconstruct_udhcpcDiscover() throws Exception {
        byte[] bytes = Fixtures.bytes("udhcpc-discover.bin");
        // Behind a prefix, to prove the view uses its offset and not index 0.
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[7], bytes);
        try {
            DhcpHeader header = DhcpHeader.wrapChecked(buf, 7, bytes.length);
            assertEquals(1, header.op());
            assertEquals(1, header.htype());
            assertEquals(6, header.hlen());
            assertEquals(0, header.hops());
            assertEquals(0x98e10d6c, header.xid());
            assertEquals(0, header.secs());
            assertFalse(header.broadcast());
            assertEquals(Ipv4Address.ANY, header.ciaddr());
            assertEquals(Ipv4Address.ANY, header.yiaddr());
            assertEquals(Ipv4Address.ANY, header.siaddr());
            assertEquals(Ipv4Address.ANY, header.giaddr());
            assertEquals(MacAddress.parse("5a:94:ef:e4:0c:ee"), header.chaddrMac());
            assertEquals(DhcpHeader.MAGIC_COOKIE, header.cookie());
        } finally {
            buf.release();
        }
    }

    @Test
    void construct_writesOnlyItsFields() {
        byte[] bytes = new byte[DhcpHeader.LENGTH];
        Arrays.fill(bytes, (byte) 0xA5);
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            DhcpHeader header = DhcpHeader.wrapUnchecked(buf, 0);
            header.setOp(2);
            header.setHtype(1);
            header.setHlen(6);
            header.setHops(0);
            header.setXid(0x01020304);
            header.setSecs(5);
            header.setFlags(DhcpHeader.FLAG_BROADCAST);
            header.setCiaddr(Ipv4Address.parse("192.168.127.3"));
            header.setYiaddr(Ipv4Address.parse("192.168.127.4"));
            header.setSiaddr(Ipv4Address.ANY);
            header.setGiaddr(Ipv4Address.BROADCAST);
            header.setChaddrMac(MacAddress.parse("5a:94:ef:e4:0c:ee"));
            header.setCookie(DhcpHeader.MAGIC_COOKIE);
            byte[] fixed = HexFormat.of().parseHex("02010600" + "01020304" + "00058000" + "c0a87f03" + "c0a87f04"
                    + "00000000" + "ffffffff" + "5a94efe40cee");
            assertArrayEquals(fixed, Arrays.copyOf(bytes, fixed.length));
            for (int i = fixed.length; i < 236; i++) {
                assertEquals((byte) 0xA5, bytes[i], "byte " + i);
            }
            assertArrayEquals(HexFormat.of().parseHex("63825363"), Arrays.copyOfRange(bytes, 236, 240));
        } finally {
            buf.release();
        }
    }

    @Test
    void checkLen_shorterThanHeaderAndCookie_isShort() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[239]);
        try {
            MalformedDhcpException e = assertThrows(MalformedDhcpException.class,
                    () -> DhcpHeader.wrapChecked(buf, 0, 239));
            assertEquals(MalformedReason.SHORT, e.reason());
        } finally {
            buf.release();
        }
    }

    @Test
    void checkLen_lengthBeyondBuffer_isShort() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[300]);
        try {
            MalformedDhcpException e = assertThrows(MalformedDhcpException.class,
                    () -> DhcpHeader.wrapChecked(buf, 100, 241));
            assertEquals(MalformedReason.SHORT, e.reason());
        } finally {
            buf.release();
        }
    }
}
