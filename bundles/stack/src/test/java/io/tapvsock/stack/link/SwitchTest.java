package io.tapvsock.stack.link;

import static io.tapvsock.stack.testing.TestFrames.BROADCAST_MAC;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.direct;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.tapvsock.api.MacAddress;
import io.tapvsock.stack.core.DropCounts;
import io.tapvsock.stack.testing.TestSink;
import io.tapvsock.stack.wire.EthernetHeader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SwitchTest {

    private static final long THIRD_MAC = 0x5a94efe40c11L;

    private final DropCounts drops = new DropCounts();
    private final List<byte[]> toGateway = new ArrayList<>();
    private final List<SwitchPort> detached = new ArrayList<>();
    private int bursts;
    private final Switch switch_ = new Switch(drops, new GatewayEndpoint() {
        @Override
        public void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
            toGateway.add(ByteBufUtil.getBytes(frame));
        }

        @Override
        public void endOfBurst(SwitchPort port) {
            bursts++;
        }

        @Override
        public void detached(SwitchPort port) {
            detached.add(port);
        }
    }, 1500, new MacAddress(GATEWAY_MAC));

    private final TestSink sinkA = new TestSink();
    private final TestSink sinkB = new TestSink();
    private final TestSink sinkC = new TestSink();
    private final SwitchPort a = switch_.attach(sinkA, "a");
    private final SwitchPort b = switch_.attach(sinkB, "b");
    private final SwitchPort c = switch_.attach(sinkC, "c");

    private static byte[] frame(long destination, long source) {
        return ethernet(destination, source, EthernetHeader.TYPE_IPV4, new byte[46]);
    }

    @Test
    void portIdsAreTheLowestFree() {
        assertEquals(List.of(0, 1, 2), List.of(a.id(), b.id(), c.id()));
        b.detach();
        assertEquals(1, switch_.attach(new TestSink(), "d").id());
        assertEquals(3, switch_.attach(new TestSink(), "e").id());
    }

    @Test
    void learnsSourceMacOfEveryFrame() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        b.receive(direct(frame(GATEWAY_MAC, OTHER_GUEST_MAC)));
        assertEquals(Map.of(new MacAddress(GUEST_MAC), 0, new MacAddress(OTHER_GUEST_MAC), 1), switch_.cam());
        assertEquals(2, toGateway.size());
    }

    @Test
    void broadcastGoesToEveryOtherPortAndTheGateway() {
        byte[] broadcast = frame(BROADCAST_MAC, GUEST_MAC);
        a.receive(direct(broadcast));
        switch_.flush();
        assertArrayEquals(broadcast, sinkB.poll());
        assertArrayEquals(broadcast, sinkC.poll());
        assertNull(sinkA.poll());
        assertEquals(1, toGateway.size());
        assertArrayEquals(broadcast, toGateway.getFirst());
        assertEquals(1L, switch_.snapshot().get("FloodedFrames"));
    }

    @Test
    void unicastToKnownGuestGoesOnlyToItsPort() {
        b.receive(direct(frame(GATEWAY_MAC, OTHER_GUEST_MAC)));
        toGateway.clear();
        byte[] unicast = frame(OTHER_GUEST_MAC, GUEST_MAC);
        a.receive(direct(unicast));
        assertEquals(1, sinkB.queuedCount()); // nothing reaches the link before the flush
        a.endOfBurst();
        assertEquals(1, bursts);
        switch_.flush();
        assertArrayEquals(unicast, sinkB.poll());
        assertNull(sinkC.poll());
        assertTrue(toGateway.isEmpty());
    }

    @Test
    void unknownUnicastIsDroppedAndCounted() {
        a.receive(direct(frame(THIRD_MAC, GUEST_MAC)));
        switch_.flush();
        assertNull(sinkB.poll());
        assertNull(sinkC.poll());
        assertTrue(toGateway.isEmpty());
        assertEquals(1, drops.get("switch-unknown-unicast"));
        assertEquals(1L, switch_.snapshot().get("UnknownUnicastDropped"));
    }

    @Test
    void framesForTheGatewayGoOnlyToTheGateway() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        switch_.flush();
        assertEquals(1, toGateway.size());
        assertNull(sinkB.poll());
    }

    @Test
    void detachForgetsThePortsAddresses() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        b.receive(direct(frame(GATEWAY_MAC, OTHER_GUEST_MAC)));
        a.detach();
        a.detach(); // idempotent
        assertEquals(Map.of(new MacAddress(OTHER_GUEST_MAC), 1), switch_.cam());
        assertEquals(List.of(a), detached);
        b.receive(direct(frame(GUEST_MAC, OTHER_GUEST_MAC)));
        assertEquals(1, drops.get("switch-unknown-unicast"));
    }

    @Test
    void macMovesToTheLatestPort() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        c.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        assertEquals(Map.of(new MacAddress(GUEST_MAC), 2), switch_.cam());
    }

    @Test
    void malformedFramesAreCountedByReason() {
        a.receive(direct(new byte[13]));
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV4, new byte[1501])));
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV6, new byte[40])));
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, 0x88CC, new byte[40])));
        a.receive(direct(frame(GATEWAY_MAC, BROADCAST_MAC)));
        a.receive(direct(frame(OTHER_GUEST_MAC, GATEWAY_MAC)));
        assertEquals(1, drops.get("ethernet-truncated"));
        assertEquals(1, drops.get("ethernet-too-long"));
        assertEquals(1, drops.get("ipv6-unsupported"));
        assertEquals(1, drops.get("ethernet-unknown-type"));
        assertEquals(1, drops.get("ethernet-multicast-source"));
        assertEquals(1, drops.get("ethernet-gateway-source"));
        assertTrue(toGateway.isEmpty());
        assertTrue(switch_.cam().isEmpty());
        assertEquals(6L, a.snapshot().get("Dropped"));
    }

    @Test
    void fullSizeFramesPassAndVlanTagsGetFourBytesMore() {
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV4, new byte[1500])));
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_VLAN, new byte[1504])));
        a.receive(direct(ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_VLAN, new byte[1505])));
        assertEquals(2, toGateway.size());
        assertEquals(1, drops.get("ethernet-too-long"));
    }

    @Test
    void gatewayOutputReachesTheLearnedPortOrEveryPortForBroadcast() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        byte[] unicast = frame(GUEST_MAC, GATEWAY_MAC);
        switch_.sendFromGateway(GUEST_MAC, direct(unicast));
        byte[] broadcast = frame(BROADCAST_MAC, GATEWAY_MAC);
        switch_.sendFromGateway(BROADCAST_MAC, direct(broadcast));
        switch_.sendFromGateway(THIRD_MAC, direct(frame(THIRD_MAC, GATEWAY_MAC)));
        switch_.flush();
        assertArrayEquals(unicast, sinkA.poll());
        assertArrayEquals(broadcast, sinkA.poll());
        assertArrayEquals(broadcast, sinkB.poll());
        assertArrayEquals(broadcast, sinkC.poll());
        assertEquals(1, drops.get("switch-unknown-unicast"));
        assertEquals(1, sinkA.flushes);
    }

    @Test
    void countsBytesBothWays() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        switch_.sendFromGateway(GUEST_MAC, direct(frame(GUEST_MAC, GATEWAY_MAC)));
        assertEquals(60, switch_.bytesReceived());
        assertEquals(60, switch_.bytesSent());
        assertEquals(60L, a.snapshot().get("BytesReceived"));
        assertEquals(60L, a.snapshot().get("BytesSent"));
    }
}
