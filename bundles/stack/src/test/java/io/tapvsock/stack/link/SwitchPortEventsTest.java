package io.tapvsock.stack.link;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.direct;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.PortListener;
import io.tapvsock.stack.core.DropCounts;
import io.tapvsock.stack.testing.TestSink;
import io.tapvsock.stack.wire.EthernetHeader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Port listeners hear of a port's first frame (with its MAC) and of that port leaving. */
class SwitchPortEventsTest {

    private final List<String> events = new ArrayList<>();
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

    SwitchPortEventsTest() {
        switch_.listeners(List.of(new PortListener() {
            @Override
            public void guestConnected(int portId, MacAddress mac, String description) {
                events.add("connected " + portId + " " + mac + " " + description);
            }

            @Override
            public void guestDisconnected(int portId, MacAddress mac, String description, String failure) {
                events.add("disconnected " + portId + " " + mac + " " + description + " " + failure);
            }
        }));
    }

    private static ByteBuf frame(long source) {
        return direct(ethernet(GATEWAY_MAC, source, EthernetHeader.TYPE_IPV4, new byte[46]));
    }

    @Test
    void theFirstFrameAnnouncesTheGuestOnceAndDetachEndsIt() {
        SwitchPort port = switch_.attach(new TestSink(), "qemu");
        port.receive(frame(GUEST_MAC));
        port.receive(frame(GUEST_MAC));
        port.receive(frame(OTHER_GUEST_MAC)); // a second MAC on the same link is no new guest
        port.detach();
        port.detach();
        assertEquals(List.of("connected 0 5a:94:ef:e4:0c:ee qemu", "disconnected 0 5a:94:ef:e4:0c:ee qemu null"),
                events);
    }

    @Test
    void aFailedLinkCarriesItsReason() {
        SwitchPort port = switch_.attach(new TestSink(), "vpnkit");
        port.receive(frame(GUEST_MAC));
        port.detach("io-error");
        assertEquals("disconnected 0 5a:94:ef:e4:0c:ee vpnkit io-error", events.getLast());
    }

    @Test
    void aPortThatNeverSpokeLeavesSilently() {
        SwitchPort port = switch_.attach(new TestSink(), "bess");
        port.detach();
        assertEquals(List.of(), events);
    }

    @Test
    void aFrameRefusedBeforeLearningAnnouncesNothing() {
        SwitchPort port = switch_.attach(new TestSink(), "tap");
        port.receive(frame(GATEWAY_MAC)); // posing as the gateway: dropped before the CAM learns it
        assertEquals(List.of(), events);
    }
}
