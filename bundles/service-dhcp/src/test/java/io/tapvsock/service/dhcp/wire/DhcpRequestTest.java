package io.tapvsock.service.dhcp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.service.dhcp.testing.ClientMessage;
import io.tapvsock.service.dhcp.testing.Fixtures;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DhcpRequestTest {

    private static final MacAddress MAC = MacAddress.parse("02:00:00:00:00:01");

    private static DhcpRequest parse(byte[] bytes) throws MalformedDhcpException {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return DhcpRequest.parse(buf);
        } finally {
            buf.release();
        }
    }

    private static MalformedReason reasonOf(byte[] bytes) {
        return assertThrows(MalformedDhcpException.class, () -> parse(bytes)).reason();
    }

    @Test
    void parse_udhcpcDiscover() throws Exception {
        DhcpRequest request = parse(Fixtures.bytes("udhcpc-discover.bin"));
        assertEquals(DhcpMessageType.DISCOVER, request.type());
        assertEquals(0x98e10d6c, request.xid());
        assertFalse(request.broadcast());
        assertEquals(MacAddress.DEFAULT_DEVICE, request.clientMac());
        assertEquals(Ipv4Address.ANY, request.clientIp());
        assertNull(request.requestedIp());
        assertNull(request.serverId());
        assertEquals(576, request.maxMessageSize());
        assertEquals("guest1", request.hostName());
    }

    @Test
    void parse_udhcpcRequest_selecting() throws Exception {
        DhcpRequest request = parse(Fixtures.bytes("udhcpc-request.bin"));
        assertEquals(DhcpMessageType.REQUEST, request.type());
        assertEquals(Ipv4Address.parse("192.168.127.15"), request.requestedIp());
        assertEquals(Ipv4Address.parse("192.168.127.1"), request.serverId());
        assertEquals(Ipv4Address.ANY, request.clientIp());
    }

    @Test
    void parse_readsFromReaderIndex() throws Exception {
        byte[] message = ClientMessage.discover(MAC).xid(42).broadcast().bytes();
        ByteBuf buf = Unpooled.buffer(400).writeZero(13).writeBytes(message);
        buf.skipBytes(13);
        try {
            DhcpRequest request = DhcpRequest.parse(buf);
            assertEquals(42, request.xid());
            assertTrue(request.broadcast());
            assertEquals(MAC, request.clientMac());
        } finally {
            buf.release();
        }
    }

    @Test
    void parse_minimalMessageWithoutPadding() throws Exception {
        byte[] full = ClientMessage.discover(MAC).bytes();
        // Header, cookie, option 53, END: 244 bytes, no BOOTP padding.
        DhcpRequest request = parse(Arrays.copyOf(full, 244));
        assertEquals(DhcpMessageType.DISCOVER, request.type());
    }

    @Test
    void parse_optionsInFileField_whenOverloaded() throws Exception {
        byte[] bytes = ClientMessage.request(MAC).option(52, (byte) 1).bytes();
        // Option 50 in the file field (RFC 2132 §9.3).
        byte[] requested = {50, 4, (byte) 192, (byte) 168, 127, 9, (byte) 255};
        System.arraycopy(requested, 0, bytes, DhcpHeader.FILE, requested.length);
        assertEquals(Ipv4Address.parse("192.168.127.9"), parse(bytes).requestedIp());
    }

    @Test
    void parse_short() {
        assertEquals(MalformedReason.SHORT, reasonOf(new byte[100]));
        assertEquals(MalformedReason.SHORT, reasonOf(new byte[0]));
    }

    @Test
    void parse_badOp() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[0] = 2;
        assertEquals(MalformedReason.BAD_OP, reasonOf(bytes));
    }

    @Test
    void parse_badHtype() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[1] = 6;
        assertEquals(MalformedReason.BAD_HTYPE, reasonOf(bytes));
    }

    @Test
    void parse_badHlen() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[2] = 16;
        assertEquals(MalformedReason.BAD_HLEN, reasonOf(bytes));
    }

    @Test
    void parse_badCookie() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[239] = 0x64;
        assertEquals(MalformedReason.BAD_COOKIE, reasonOf(bytes));
    }

    @Test
    void parse_optionRunningPastTheEnd() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        // 53,1,1 then option 12 claiming 200 bytes in a 300-byte message.
        bytes[243] = 12;
        bytes[244] = (byte) 200;
        assertEquals(MalformedReason.OPTION_OVERRUN, reasonOf(bytes));
    }

    @Test
    void parse_optionCodeWithoutLengthByte() {
        byte[] bytes = Arrays.copyOf(ClientMessage.discover(MAC).bytes(), 244);
        bytes[243] = 12;
        assertEquals(MalformedReason.OPTION_OVERRUN, reasonOf(bytes));
    }

    @Test
    void parse_overrunInOverloadedField() {
        byte[] bytes = ClientMessage.discover(MAC).option(52, (byte) 2).bytes();
        bytes[DhcpHeader.SNAME + 62] = 12;
        bytes[DhcpHeader.SNAME + 63] = 5;
        assertEquals(MalformedReason.OPTION_OVERRUN, reasonOf(bytes));
    }

    @Test
    void parse_missingMessageType() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[240] = 0; // option 53 (53, 1, 1) becomes three PADs
        bytes[241] = 0;
        bytes[242] = 0;
        assertEquals(MalformedReason.NO_MESSAGE_TYPE, reasonOf(bytes));
    }

    @Test
    void parse_serverMessageTypeFromClient() {
        byte[] bytes = ClientMessage.discover(MAC).bytes();
        bytes[242] = 2; // OFFER
        assertEquals(MalformedReason.BAD_MESSAGE_TYPE, reasonOf(bytes));
        bytes[242] = 9;
        assertEquals(MalformedReason.BAD_MESSAGE_TYPE, reasonOf(bytes));
    }

    @Test
    void parse_badOptionLength() {
        byte[] bytes = ClientMessage.request(MAC).option(50, (byte) 1, (byte) 2).bytes();
        assertEquals(MalformedReason.BAD_OPTION_LENGTH, reasonOf(bytes));
    }

    @Test
    void parse_missingEnd() {
        // Header, cookie, option 53 and nothing after it: the options field runs out without END.
        byte[] bytes = Arrays.copyOf(ClientMessage.discover(MAC).bytes(), 243);
        assertEquals(MalformedReason.MISSING_END, reasonOf(bytes));
        // The same with PAD up to the end of a full-size message.
        bytes = ClientMessage.discover(MAC).bytes();
        bytes[243] = 0;
        assertEquals(MalformedReason.MISSING_END, reasonOf(bytes));
    }

    @Test
    void parse_missingEndInOverloadedField() {
        // Option 52 = 1: options go on in the file field, which is all PAD here (RFC 2132 §9.3 wants END there too).
        byte[] bytes = ClientMessage.discover(MAC).option(52, (byte) 1).bytes();
        assertEquals(MalformedReason.MISSING_END, reasonOf(bytes));
    }
}
