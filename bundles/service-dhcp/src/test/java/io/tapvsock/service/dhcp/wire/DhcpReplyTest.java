package io.tapvsock.service.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DhcpReplyTest {

    private static final Ipv4Address GATEWAY = Ipv4Address.parse("192.168.127.1");
    private static final NetworkParameters PARAMETERS = new NetworkParameters(Ipv4Address.parse("255.255.255.0"),
            GATEWAY, GATEWAY, 1500, DomainSearchList.EMPTY);

    private static byte[] emit(DhcpReply reply) {
        ByteBuf out = Unpooled.buffer();
        try {
            out.writeByte(0x77); // something before: emit writes at the writer index
            reply.emit(out);
            assertEquals(reply.length() + 1, out.readableBytes());
            return Arrays.copyOfRange(ByteBufUtil.getBytes(out), 1, out.readableBytes());
        } finally {
            out.release();
        }
    }

    @Test
    void emit_offer() {
        DhcpReply offer = new DhcpReply(DhcpMessageType.OFFER, 0x01020304, false, Ipv4Address.ANY,
                Ipv4Address.parse("192.168.127.3"), Ipv4Address.ANY, MacAddress.DEFAULT_DEVICE, GATEWAY, 3600,
                PARAMETERS, null);
        byte[] bytes = emit(offer);
        assertEquals(DhcpReply.MIN_LENGTH, bytes.length);
        byte[] header = HexFormat.of().parseHex("02010600" + "01020304" + "00000000" + "00000000" + "c0a87f03"
                + "00000000" + "00000000" + "5a94efe40cee");
        assertArrayEquals(header, Arrays.copyOf(bytes, header.length));
        for (int i = header.length; i < 236; i++) {
            assertEquals(0, bytes[i], "byte " + i);
        }
        byte[] options = HexFormat.of().parseHex("63825363" + "350102" + "3604c0a87f01" + "330400000e10"
                + "0104ffffff00" + "0304c0a87f01" + "0604c0a87f01" + "1a0205dc" + "ff");
        assertArrayEquals(options, Arrays.copyOfRange(bytes, 236, 236 + options.length));
        for (int i = 236 + options.length; i < bytes.length; i++) {
            assertEquals(0, bytes[i], "padding byte " + i);
        }
    }

    @Test
    void emit_nak_hasNoLeaseNorParameters() {
        DhcpReply nak = new DhcpReply(DhcpMessageType.NAK, 7, true, Ipv4Address.ANY, Ipv4Address.ANY, Ipv4Address.ANY,
                MacAddress.DEFAULT_DEVICE, GATEWAY, -1, null, "no");
        byte[] bytes = emit(nak);
        assertEquals(0x80, bytes[10] & 0xFF); // broadcast flag echoed
        byte[] options = HexFormat.of().parseHex("63825363" + "350106" + "3604c0a87f01" + "38026e6f" + "ff");
        assertArrayEquals(options, Arrays.copyOfRange(bytes, 236, 236 + options.length));
    }

    @Test
    void emit_withSearchList_growsPastTheMinimum() {
        List<String> domains = List.of("a".repeat(50) + ".example", "b".repeat(50) + ".example");
        NetworkParameters withSearch = new NetworkParameters(PARAMETERS.subnetMask(), GATEWAY, GATEWAY, 1500,
                DomainSearchList.of(domains));
        DhcpReply ack = new DhcpReply(DhcpMessageType.ACK, 1, false, Ipv4Address.ANY, Ipv4Address.parse("192.168.127.3"),
                Ipv4Address.ANY, MacAddress.DEFAULT_DEVICE, GATEWAY, 3600, withSearch, null);
        byte[] bytes = emit(ack);
        // 240 + 38 for the options of an OFFER, + 2 + 60 + 53 (the second name points at "example")
        assertEquals(240 + 38 + 2 + 113, bytes.length);
        assertEquals(119, bytes[240 + 37] & 0xFF);
        assertEquals(113, bytes[240 + 38] & 0xFF);
        assertEquals(0xFF, bytes[bytes.length - 1] & 0xFF);
    }
}
