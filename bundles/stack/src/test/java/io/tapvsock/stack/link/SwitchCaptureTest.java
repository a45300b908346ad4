package io.tapvsock.stack.link;

import static io.tapvsock.stack.testing.TestFrames.BROADCAST_MAC;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.direct;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.tapvsock.api.MacAddress;
import io.tapvsock.stack.core.DropCounts;
import io.tapvsock.stack.testing.TestSink;
import io.tapvsock.stack.wire.EthernetHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The switch shows a capture each frame of the network exactly once. */
class SwitchCaptureTest {

    private final List<byte[]> captured = new ArrayList<>();
    private final Switch switch_ = new Switch(new DropCounts(), new GatewayEndpoint() {
        @Override
        public void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
        }

        @Override
        public void endOfBurst(SwitchPort port) {
        }

        @Override
        public void detached(SwitchPort port) {
        }
    }, 1500, new MacAddress(GATEWAY_MAC));
    private final SwitchPort a = switch_.attach(new TestSink(), "a");
    private final SwitchPort b = switch_.attach(new TestSink(), "b");

    SwitchCaptureTest() {
        switch_.capture(frame -> {
            int before = frame.readerIndex();
            captured.add(ByteBufUtil.getBytes(frame));
            assertEquals(before, frame.readerIndex());
        });
    }

    private static byte[] frame(long destination, long source) {
        return ethernet(destination, source, EthernetHeader.TYPE_IPV4, new byte[46]);
    }

    @Test
    void aFrameForwardedBetweenGuestsIsCapturedOnce() {
        b.receive(direct(frame(GATEWAY_MAC, OTHER_GUEST_MAC)));
        byte[] unicast = frame(OTHER_GUEST_MAC, GUEST_MAC);
        a.receive(direct(unicast));
        switch_.flush();
        assertEquals(2, captured.size());
        assertArrayEquals(unicast, captured.get(1));
    }

    @Test
    void aBroadcastFromTheGatewayIsCapturedOnceForAllPorts() {
        byte[] broadcast = frame(BROADCAST_MAC, GATEWAY_MAC);
        switch_.sendFromGateway(BROADCAST_MAC, direct(broadcast));
        assertEquals(1, captured.size());
        assertArrayEquals(broadcast, captured.getFirst());
    }

    @Test
    void framesTheGuestSendsAreCapturedEvenWhenDropped() {
        byte[] tooShort = new byte[10];
        a.receive(direct(tooShort));
        assertEquals(1, captured.size());
        assertArrayEquals(tooShort, captured.getFirst());
    }

    @Test
    void gatewayUnicastIsCapturedAsSent() {
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        captured.clear();
        byte[] reply = frame(GUEST_MAC, GATEWAY_MAC);
        switch_.send(a, direct(reply));
        assertEquals(List.of(1), List.of(captured.size()));
        assertArrayEquals(reply, captured.getFirst());
    }

    @Test
    void withoutACaptureNothingIsCaptured() {
        switch_.capture(null);
        a.receive(direct(frame(GATEWAY_MAC, GUEST_MAC)));
        switch_.sendFromGateway(GUEST_MAC, direct(frame(GUEST_MAC, GATEWAY_MAC)));
        assertEquals(0, captured.size());
    }
}
