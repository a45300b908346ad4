package io.tapvsock.stack.net;

import static io.tapvsock.stack.testing.TestFrames.BROADCAST_MAC;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_IP;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.HOST_IP;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.arpRequest;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static io.tapvsock.stack.testing.TestFrames.hex;
import static io.tapvsock.stack.testing.TestFrames.icmpEcho;
import static io.tapvsock.stack.testing.TestFrames.ipv4;
import static io.tapvsock.stack.testing.TestFrames.ipv4Frame;
import static io.tapvsock.stack.testing.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.stack.testing.StackFixture;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatewayNicTest {

    private final StackFixture fixture = new StackFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    @Test
    void arpRequestForTheGatewayIsAnsweredWithTheGatewayMac() throws Exception {
        fixture.guestSends(arpRequest(GUEST_MAC, GUEST_IP, GATEWAY_IP));
        byte[] expected = HexFormat.of().parseHex(
                "5a94efe40cee" + "5a94efe40cdd" + "0806"
                + "0001" + "0800" + "06" + "04" + "0002"
                + "5a94efe40cdd" + "c0a87f01"
                + "5a94efe40cee" + "c0a87f02");
        assertEquals(hex(expected), hex(fixture.sink.take()));
        assertEquals(Map.of(new Ipv4Address(GUEST_IP), "5a:94:ef:e4:0c:ee port 0"), fixture.call(fixture.stack::neighbours));
    }

    @Test
    void arpRequestForAVirtualIpIsAnswered() throws Exception {
        fixture.guestSends(arpRequest(GUEST_MAC, GUEST_IP, HOST_IP));
        byte[] reply = fixture.sink.take();
        assertEquals("c0a87ffe", hex(java.util.Arrays.copyOfRange(reply, 28, 32)), "sender IP is the virtual IP");
        assertEquals("5a94efe40cdd", hex(java.util.Arrays.copyOfRange(reply, 22, 28)));
    }

    @Test
    void arpRequestForAnotherAddressIsNotAnswered() {
        fixture.guestSends(arpRequest(GUEST_MAC, GUEST_IP, OTHER_GUEST_IP));
        assertNull(fixture.sink.poll());
    }

    @Test
    void icmpEchoToTheGatewayIsAnswered() throws Exception {
        byte[] data = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 0x4242, 7, data)));
        byte[] expected = ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(GATEWAY_IP, GUEST_IP, Ipv4Header.PROTOCOL_ICMP, icmpEcho(IcmpHeader.TYPE_ECHO_REPLY, 0x4242, 7, data)));
        assertEquals(hex(expected), hex(fixture.sink.take()));
    }

    @Test
    void icmpEchoToTheHostIpIsAnsweredFromIt() throws Exception {
        fixture.guestSends(ipv4Frame(GUEST_IP, HOST_IP, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 1, 1, new byte[0])));
        byte[] expected = ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(HOST_IP, GUEST_IP, Ipv4Header.PROTOCOL_ICMP, icmpEcho(IcmpHeader.TYPE_ECHO_REPLY, 1, 1, new byte[0])));
        assertEquals(hex(expected), hex(fixture.sink.take()));
    }

    @Test
    void icmpOtherThanEchoToOtherAddressesAndEchoToRefusedDestinationsAreCountedAndDropped() {
        fixture.guestSends(ipv4Frame(GUEST_IP, 0x08080808, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REPLY, 1, 1, new byte[8])));
        fixture.guestSends(ipv4Frame(GUEST_IP, 0x7F000001, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 1, 1, new byte[8])));
        fixture.guestSends(ipv4Frame(GUEST_IP, OTHER_GUEST_IP, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 1, 1, new byte[8])));
        assertNull(fixture.sink.poll());
        assertEquals(1, fixture.drops("icmp-unsupported-type"));
        assertEquals(2, fixture.drops("icmp-destination-refused"), "loopback and another guest are not the host's");
    }

    @Test
    void ipv4ValidationCountsEachReason() {
        byte[] good = ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 1, 1, new byte[8]));
        fixture.guestSends(java.util.Arrays.copyOf(good, 14 + 19));
        fixture.guestSends(withIpByte(good, 0, 0x65));
        fixture.guestSends(withIpByte(good, 0, 0x44));
        fixture.guestSends(withIpByte(good, 3, 0xFF));
        fixture.guestSends(withIpByte(good, 11, good[14 + 11] + 1));
        fixture.guestSends(withChecksum(withIpByte(good, 6, 0x20)));
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, 99, new byte[8]));
        fixture.guestSends(ipv4Frame(0xE0000001, GATEWAY_IP, Ipv4Header.PROTOCOL_ICMP, new byte[8]));
        assertEquals(1, fixture.drops("ipv4-truncated"));
        assertEquals(1, fixture.drops("ipv4-bad-version"));
        assertEquals(1, fixture.drops("ipv4-bad-ihl"));
        assertEquals(1, fixture.drops("ipv4-total-length-overflow"));
        assertEquals(1, fixture.drops("ipv4-bad-checksum"));
        assertEquals(1, fixture.drops("ipv4-fragment"));
        assertEquals(1, fixture.drops("ipv4-unknown-protocol"));
        assertEquals(1, fixture.drops("ipv4-bad-source"));
        assertNull(fixture.sink.poll());
        @SuppressWarnings("unchecked")
        Map<String, Object> ip = (Map<String, Object>) fixture.call(fixture.stack::snapshot).get("IP");
        assertEquals(8L, ip.get("PacketsReceived"));
        assertEquals(1L, ip.get("MalformedFragmentsReceived"));
    }

    @Test
    void transportChecksumsAreVerified() {
        byte[] datagram = udp(GUEST_IP, GATEWAY_IP, 5353, 53, "ping".getBytes(StandardCharsets.US_ASCII));
        datagram[datagram.length - 1] ^= 1;
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_UDP, datagram));
        byte[] segment = new byte[20];
        segment[12] = 0x50;
        segment[16] = 0x12; // a checksum nobody computed
        fixture.guestSends(ipv4Frame(GUEST_IP, HOST_IP, Ipv4Header.PROTOCOL_TCP, segment));
        fixture.guestSends(ipv4Frame(GUEST_IP, HOST_IP, Ipv4Header.PROTOCOL_TCP, new byte[12]));
        byte[] shortUdp = udp(GUEST_IP, GATEWAY_IP, 5353, 53, new byte[0]);
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_UDP, java.util.Arrays.copyOf(shortUdp, 6)));
        assertEquals(1, fixture.drops("udp-bad-checksum"));
        assertEquals(1, fixture.drops("tcp-bad-checksum"));
        assertEquals(1, fixture.drops("tcp-truncated"));
        assertEquals(1, fixture.drops("udp-truncated"));
    }

    @Test
    void unicastIpInALinkBroadcastIsDropped() {
        byte[] frame = ethernet(BROADCAST_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV4, ipv4(GUEST_IP, GATEWAY_IP,
                Ipv4Header.PROTOCOL_ICMP, icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, 1, 1, new byte[0])));
        fixture.guestSends(frame);
        assertEquals(1, fixture.drops("ipv4-unicast-in-link-broadcast"));
    }

    @Test
    void gatewayUdpServiceGetsTheDatagramAndReplies() throws Exception {
        List<String> seen = new ArrayList<>();
        GatewayUdpService echo = (datagram, replier) -> {
            seen.add(datagram.sourceMac() + " " + datagram.source() + ":" + datagram.sourcePort() + " -> "
                    + datagram.destination() + ":" + datagram.destinationPort() + " "
                    + datagram.payload().toString(StandardCharsets.US_ASCII));
            ByteBuf answer = replier.alloc().buffer().writeBytes("pong".getBytes(StandardCharsets.US_ASCII));
            replier.send(datagram.sourceMac(), datagram.source(), datagram.sourcePort(), answer);
        };
        fixture.stack.addUdpService(53, echo);
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_UDP,
                udp(GUEST_IP, GATEWAY_IP, 5353, 53, "ping".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(List.of("5a:94:ef:e4:0c:ee 192.168.127.2:5353 -> 192.168.127.1:53 ping"), seen);
        byte[] expected = ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4, ipv4(GATEWAY_IP, GUEST_IP,
                Ipv4Header.PROTOCOL_UDP, udp(GATEWAY_IP, GUEST_IP, 53, 5353, "pong".getBytes(StandardCharsets.US_ASCII))));
        assertEquals(hex(expected), hex(fixture.sink.take()));
        fixture.stack.removeUdpService(53, echo);
        fixture.guestSends(ipv4Frame(GUEST_IP, GATEWAY_IP, Ipv4Header.PROTOCOL_UDP,
                udp(GUEST_IP, GATEWAY_IP, 5353, 53, new byte[1])));
        assertEquals(1, fixture.drops("udp-gateway-port-closed"));
    }

    @Test
    void dhcpBroadcastReachesThePort67ServiceAndItsBroadcastReplyTheGuest() throws Exception {
        List<UdpDatagram> seen = new ArrayList<>();
        fixture.stack.addUdpService(67, (datagram, replier) -> {
            seen.add(datagram);
            replier.send(MacAddress.BROADCAST, Ipv4Address.BROADCAST, 68, Unpooled.wrappedBuffer(new byte[] {2}));
        });
        byte[] discover = udp(0, -1, 68, 67, new byte[] {1});
        fixture.guestSends(ethernet(BROADCAST_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(0, -1, Ipv4Header.PROTOCOL_UDP, discover)));
        assertEquals(1, seen.size());
        assertEquals(Ipv4Address.ANY, seen.getFirst().source());
        byte[] offer = fixture.sink.take();
        byte[] expected = ethernet(BROADCAST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(GATEWAY_IP, -1, Ipv4Header.PROTOCOL_UDP, udp(GATEWAY_IP, -1, 67, 68, new byte[] {2})));
        assertEquals(hex(expected), hex(offer));
    }

    @Test
    void sendingToAnUnknownNeighbour_asksWithArp_andTheHeldPacketGoesOutWhenItAnswers() throws Exception {
        byte[] datagram = new byte[8];
        fixture.run(() -> {
            fixture.stack.sendIpv4(GATEWAY_IP, OTHER_GUEST_IP, Ipv4Header.PROTOCOL_UDP,
                    Unpooled.directBuffer().writeBytes(datagram));
            fixture.stack.flush();
        });
        byte[] request = fixture.sink.take();
        assertEquals(hex(ethernet(BROADCAST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_ARP,
                io.tapvsock.stack.testing.TestFrames.arp(1, GATEWAY_MAC, GATEWAY_IP, 0, OTHER_GUEST_IP))), hex(request));
        assertEquals(null, fixture.sink.poll(), "held, not sent to a MAC nobody has");

        fixture.guestSends(ethernet(GATEWAY_MAC, OTHER_GUEST_MAC, EthernetHeader.TYPE_ARP,
                io.tapvsock.stack.testing.TestFrames.arp(2, OTHER_GUEST_MAC, OTHER_GUEST_IP, GATEWAY_MAC, GATEWAY_IP)));

        assertEquals(hex(ethernet(OTHER_GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(GATEWAY_IP, OTHER_GUEST_IP, Ipv4Header.PROTOCOL_UDP, datagram))), hex(fixture.sink.take()));
        assertEquals(0, fixture.drops("ipv4-no-neighbour"));
    }

    @Test
    void sendingOutsideTheSubnetWithoutANeighbour_isDroppedAndCounted() {
        fixture.run(() -> {
            fixture.stack.sendIpv4(GATEWAY_IP, 0x0A000001, Ipv4Header.PROTOCOL_UDP, Unpooled.directBuffer().writeZero(8));
            fixture.stack.flush();
        });
        assertEquals(1, fixture.drops("ipv4-no-neighbour"));
    }

    @Test
    void statsHaveGvproxysShape() {
        fixture.guestSends(arpRequest(GUEST_MAC, GUEST_IP, GATEWAY_IP));
        Map<String, Object> stats = fixture.call(fixture.stack::snapshot);
        for (String key : List.of("BytesSent", "BytesReceived", "Ethernet", "ARP", "IP", "ICMP", "UDP", "TCP", "Drops",
                "Switch", "Flows")) {
            assertTrue(stats.containsKey(key), key);
        }
        assertEquals(42L, stats.get("BytesReceived"));
        assertEquals(42L, stats.get("BytesSent"));
        @SuppressWarnings("unchecked")
        Map<String, Object> arp = (Map<String, Object>) stats.get("ARP");
        assertEquals(1L, arp.get("RequestsReceived"));
        assertEquals(1L, arp.get("OutgoingRepliesSent"));
        assertEquals(Map.of("TCP", Map.of(), "UDP", 0L, "ICMP", 0L), stats.get("Flows"));
    }

    private static byte[] withIpByte(byte[] frame, int index, int value) {
        byte[] copy = frame.clone();
        copy[14 + index] = (byte) value;
        return copy;
    }

    private static byte[] withChecksum(byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        new Ipv4Header().wrapUnchecked(buf, 14, frame.length - 14).fillChecksum();
        buf.release();
        return frame;
    }
}
