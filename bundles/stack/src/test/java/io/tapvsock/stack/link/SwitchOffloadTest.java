package io.tapvsock.stack.link;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.direct;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static io.tapvsock.stack.testing.TestFrames.ipv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.MacAddress;
import io.tapvsock.stack.core.DropCounts;
import io.tapvsock.stack.testing.TestSink;
import io.tapvsock.stack.wire.Checksum;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames with work left to offload: from a guest (partial checksums, super-segments) and toward one. */
class SwitchOffloadTest {

    private static final int GUEST_IP = 0xC0A8_7F02;
    private static final int OTHER_GUEST_IP = 0xC0A8_7F03;
    private static final int TCP_CHECKSUM_AT = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH + 16;

    private final DropCounts drops = new DropCounts();
    private final List<Boolean> toGatewayOffloaded = new ArrayList<>();
    private final Switch switch_ = new Switch(drops, new GatewayEndpoint() {
        @Override
        public void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
            toGatewayOffloaded.add(offloaded);
        }

        @Override
        public void endOfBurst(SwitchPort port) {
        }

        @Override
        public void detached(SwitchPort port) {
        }
    }, 1500, new MacAddress(GATEWAY_MAC));

    private final TestSink offloadingSink = new TestSink(true);
    private final TestSink plainSink = new TestSink(false);
    private final SwitchPort offloading = switch_.attach(offloadingSink, "offloading");
    private final SwitchPort plain = switch_.attach(plainSink, "plain");

    /** A TCP/IPv4 frame whose checksum field holds the pseudo-header sum only, as a guest's kernel leaves it. */
    private static byte[] partialTcpFrame(long destinationMac, long sourceMac, int source, int destination,
            int payloadLength) {
        byte[] tcp = new byte[20 + payloadLength];
        tcp[12] = 0x50; // data offset 5
        tcp[13] = 0x18; // PSH, ACK
        for (int i = 20; i < tcp.length; i++) {
            tcp[i] = (byte) (i * 7);
        }
        int pseudo = Checksum.fold(Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_TCP,
                tcp.length));
        tcp[16] = (byte) (pseudo >>> 8);
        tcp[17] = (byte) pseudo;
        return ethernet(destinationMac, sourceMac, EthernetHeader.TYPE_IPV4,
                ipv4(source, destination, Ipv4Header.PROTOCOL_TCP, tcp));
    }

    private static boolean tcpChecksumVerifies(byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        try {
            int l4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;
            int length = frame.length - l4;
            long sum = Checksum.ipv4PseudoHeader(buf.getInt(EthernetHeader.LENGTH + 12),
                    buf.getInt(EthernetHeader.LENGTH + 16), Ipv4Header.PROTOCOL_TCP, length);
            return Checksum.verifies(Checksum.add(buf, l4, length, sum));
        } finally {
            buf.release();
        }
    }

    @Test
    void offloadedSuperSegmentForTheGateway_goesThroughWholeAndMarked() {
        byte[] frame = partialTcpFrame(GATEWAY_MAC, GUEST_MAC, GUEST_IP, 0xC0A8_7FFE, 30_000);
        offloading.receiveOffloaded(direct(frame));
        assertEquals(List.of(true), toGatewayOffloaded);
        assertEquals(0, drops.get("ethernet-too-long"));
    }

    @Test
    void plainFrameAboveTheMtu_isStillDropped() {
        offloading.receive(direct(partialTcpFrame(GATEWAY_MAC, GUEST_MAC, GUEST_IP, 0xC0A8_7FFE, 30_000)));
        assertEquals(List.of(), toGatewayOffloaded);
        assertEquals(1, drops.get("ethernet-too-long"));
    }

    @Test
    void offloadedFrameForAnotherGuest_leavesWithItsChecksumCompleted() {
        plain.receive(direct(partialTcpFrame(GATEWAY_MAC, OTHER_GUEST_MAC, OTHER_GUEST_IP, 0xC0A8_7FFE, 0)));
        byte[] frame = partialTcpFrame(OTHER_GUEST_MAC, GUEST_MAC, GUEST_IP, OTHER_GUEST_IP, 1000);
        assertTrue(!tcpChecksumVerifies(frame));
        offloading.receiveOffloaded(direct(frame));
        switch_.flush();
        byte[] delivered = plainSink.poll();
        assertTrue(tcpChecksumVerifies(delivered));
    }

    @Test
    void offloadedSuperSegmentForAnotherGuest_isDroppedNotSentOverItsMtu() {
        plain.receive(direct(partialTcpFrame(GATEWAY_MAC, OTHER_GUEST_MAC, OTHER_GUEST_IP, 0xC0A8_7FFE, 0)));
        offloading.receiveOffloaded(direct(partialTcpFrame(OTHER_GUEST_MAC, GUEST_MAC, GUEST_IP, OTHER_GUEST_IP,
                20_000)));
        switch_.flush();
        assertNull(plainSink.poll());
        assertEquals(1, drops.get("switch-super-segment-to-guest"));
    }

    @Test
    void segmentedFromTheGateway_goesToAnOffloadingLinkAsItIs() {
        offloading.receive(direct(partialTcpFrame(GATEWAY_MAC, GUEST_MAC, GUEST_IP, 0xC0A8_7FFE, 0)));
        assertTrue(switch_.segmentsTcp(GUEST_MAC));
        byte[] frame = partialTcpFrame(GUEST_MAC, GATEWAY_MAC, 0xC0A8_7FFE, GUEST_IP, 20_000);
        switch_.sendSegmentedFromGateway(GUEST_MAC, direct(frame), 1448, 1500);
        switch_.flush();
        assertEquals(List.of(1448), offloadingSink.segmentSizes);
        assertEquals(frame.length, offloadingSink.poll().length);
    }

    @Test
    void segmentedFromTheGateway_toALinkThatCannot_completesWithinTheMtuAndDropsBeyond() {
        plain.receive(direct(partialTcpFrame(GATEWAY_MAC, OTHER_GUEST_MAC, OTHER_GUEST_IP, 0xC0A8_7FFE, 0)));
        assertTrue(!switch_.segmentsTcp(OTHER_GUEST_MAC));
        switch_.sendSegmentedFromGateway(OTHER_GUEST_MAC,
                direct(partialTcpFrame(OTHER_GUEST_MAC, GATEWAY_MAC, 0xC0A8_7FFE, OTHER_GUEST_IP, 1000)), 1448, 1500);
        switch_.sendSegmentedFromGateway(OTHER_GUEST_MAC,
                direct(partialTcpFrame(OTHER_GUEST_MAC, GATEWAY_MAC, 0xC0A8_7FFE, OTHER_GUEST_IP, 5000)), 1448, 1500);
        switch_.flush();
        byte[] delivered = plainSink.poll();
        assertTrue(tcpChecksumVerifies(delivered));
        assertNotEquals(0, delivered[TCP_CHECKSUM_AT] | delivered[TCP_CHECKSUM_AT + 1]);
        assertNull(plainSink.poll());
        assertEquals(1, drops.get("switch-super-segment-to-guest"));
    }
}
