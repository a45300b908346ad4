package io.tapvsock.stack.icmp;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_IP;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.HOST_IP;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static io.tapvsock.stack.testing.TestFrames.hex;
import static io.tapvsock.stack.testing.TestFrames.icmpEcho;
import static io.tapvsock.stack.testing.TestFrames.ipv4;
import static io.tapvsock.stack.testing.TestFrames.ipv4Frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.testing.StackFixture;
import io.tapvsock.stack.testing.TestFrames;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Echo forwarding against the real kernel: 127.0.0.1 answers, reached as the host IP (which, with no gateway
 * virtual IPs configured, is not answered by the gateway itself). The host's ping_group_range is "1 0" here, so
 * the ping socket path runs in a namespace made for the test, with the range widened there.
 */
class IcmpForwarderTest {

    /** Host IP 192.168.127.254 maps to 127.0.0.1 and is no gateway address. */
    private static final NetworkSettings SETTINGS =
            NetworkSettings.fromProperties(Map.of(NetworkSettings.GATEWAY_VIRTUAL_IPS, new String[0]));
    private static final byte[] DATA = "tapvsock echo 0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The ping socket refused as in this machine's own namespace; raw sockets as the process may open them. */
    private static final IcmpSocketOpener PING_REFUSED =
            kind -> kind == IcmpSocketKind.PING ? -IcmpSyscalls.EACCES : IcmpSocketOpener.SYSTEM.open(kind);
    private static final IcmpSocketOpener ALL_REFUSED =
            kind -> kind == IcmpSocketKind.PING ? -IcmpSyscalls.EACCES : -IcmpSyscalls.EPERM;

    private StackFixture fixture;
    private TestNamespace namespace;

    @AfterEach
    void close() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
        if (namespace != null) {
            namespace.close();
        }
    }

    private void ping(int destination, int identifier, int sequence) {
        fixture.guestSends(ipv4Frame(GUEST_IP, destination, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, identifier, sequence, DATA)));
    }

    private static byte[] reply(int from, int identifier, int sequence) {
        return ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4, ipv4(from, GUEST_IP, Ipv4Header.PROTOCOL_ICMP,
                icmpEcho(IcmpHeader.TYPE_ECHO_REPLY, identifier, sequence, DATA)));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> forwarding() {
        Map<String, Object> icmp = (Map<String, Object>) fixture.call(fixture.stack::snapshot).get("ICMP");
        return (Map<String, Object>) icmp.get("Forwarding");
    }

    @Test
    void theRawFallbackGetsLoopbacksRealReplyBackToTheGuestsIdentifierAndSequence() throws Exception {
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), PING_REFUSED);
        ping(HOST_IP, 0x1234, 1);
        assertEquals(hex(reply(HOST_IP, 0x1234, 1)), hex(fixture.sink.take()));
        ping(HOST_IP, 0x1234, 2);
        assertEquals(hex(reply(HOST_IP, 0x1234, 2)), hex(fixture.sink.take()));
        Map<String, Object> stats = forwarding();
        assertEquals("raw", stats.get("Socket"));
        assertEquals(1L, stats.get("RawFallbacks"));
        assertEquals(2L, stats.get("EchoRequestsForwarded"));
        assertEquals(2L, stats.get("EchoRepliesForwarded"));
        assertEquals(1, (int) fixture.call(fixture.stack::icmpFlowCount));
    }

    @Test
    void rawFlowsOfTwoPingsToOneDestinationKeepTheirOwnIdentifiers() throws Exception {
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), PING_REFUSED);
        ping(HOST_IP, 7, 1);
        ping(HOST_IP, 8, 1);
        Set<String> replies = new HashSet<>(List.of(hex(fixture.sink.take()), hex(fixture.sink.take())));
        assertEquals(Set.of(hex(reply(HOST_IP, 7, 1)), hex(reply(HOST_IP, 8, 1))), replies);
        assertEquals(2, (int) fixture.call(fixture.stack::icmpFlowCount));
    }

    @Test
    void idleFlowsExpireAndARawSocketReopensForTheNextPing() throws Exception {
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), PING_REFUSED);
        ping(HOST_IP, 0x55, 1);
        assertEquals(hex(reply(HOST_IP, 0x55, 1)), hex(fixture.sink.take()));
        fixture.advanceSeconds(IcmpForwarder.DEFAULT_IDLE_SECONDS - 1);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(1, (int) fixture.call(fixture.stack::icmpFlowCount));
        fixture.advanceSeconds(1);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(0, (int) fixture.call(fixture.stack::icmpFlowCount));
        ping(HOST_IP, 0x55, 2);
        assertEquals(hex(reply(HOST_IP, 0x55, 2)), hex(fixture.sink.take()));
        assertEquals(1L, forwarding().get("FlowsExpired"));
    }

    @Test
    void thePingSocketCarriesTheEchoInANamespaceThatAllowsIt() throws Exception {
        namespace = new TestNamespace("tvs-icmp-" + ProcessHandle.current().pid(),
                "net.ipv4.ping_group_range=0 2147483647");
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), namespace);
        ping(HOST_IP, 0x4321, 9);
        assertEquals(hex(reply(HOST_IP, 0x4321, 9)), hex(fixture.sink.take()));
        ping(HOST_IP, 0x4322, 1);
        assertEquals(hex(reply(HOST_IP, 0x4322, 1)), hex(fixture.sink.take()));
        Map<String, Object> stats = forwarding();
        assertEquals("ping", stats.get("Socket"));
        assertEquals(0L, stats.get("RawFallbacks"));
        assertEquals(2L, stats.get("EchoRepliesForwarded"));
        assertEquals(2, (int) fixture.call(fixture.stack::icmpFlowCount));
        List<String> flows = fixture.call(fixture.stack::describeIcmpFlows);
        assertTrue(flows.get(0).startsWith("192.168.127.2 -> 192.168.127.254 id 17185 via 127.0.0.1 (ping)"),
                flows.get(0));
    }

    @Test
    void withBothSocketsRefusedNothingIsAnsweredAndTheGatewayStillIs() throws Exception {
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), ALL_REFUSED);
        ping(HOST_IP, 1, 1);
        ping(HOST_IP, 1, 2);
        assertNull(fixture.sink.poll(), "no reply is made up");
        assertEquals(2, fixture.drops("icmp-forwarding-refused"));
        Map<String, Object> stats = forwarding();
        assertEquals("refused", stats.get("Socket"));
        assertEquals(2L, stats.get("Refused"));
        assertEquals(0L, stats.get("EchoRequestsForwarded"));
        ping(GATEWAY_IP, 1, 3);
        assertEquals(hex(ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4, ipv4(GATEWAY_IP, GUEST_IP,
                Ipv4Header.PROTOCOL_ICMP, icmpEcho(IcmpHeader.TYPE_ECHO_REPLY, 1, 3, DATA)))), hex(fixture.sink.take()));
        assertNull(fixture.sink.poll());
    }

    @Test
    void theHostIpIsForwardedThoughAVirtualIpAndNothingIsForgedWhenNoSocketCanBeHad() throws Exception {
        fixture = new StackFixture(NetworkSettings.defaults(), StackLimits.defaults(), ALL_REFUSED);
        ping(GATEWAY_IP, 0, 0); // the gateway learns the guest's MAC, so a forged reply could reach it
        fixture.sink.take();
        ping(HOST_IP, 3, 1);
        fixture.run(() -> { }); // the request has been handled once the loop ran this
        assertNull(fixture.sink.poll());
        assertEquals("refused", forwarding().get("Socket"));
    }

    @Test
    void theLeastRecentlyUsedFlowMakesRoom() throws Exception {
        fixture = new StackFixture(SETTINGS, StackLimits.defaults(), PING_REFUSED);
        IcmpForwarder forwarder = fixture.call(() -> new IcmpForwarder(fixture.stack, PING_REFUSED, 60, 2));
        ping(GATEWAY_IP, 0, 0); // the gateway learns the guest's MAC
        fixture.sink.take();
        for (int identifier = 1; identifier <= 3; identifier++) {
            int id = identifier;
            fixture.run(() -> {
                ByteBuf message = TestFrames.direct(icmpEcho(IcmpHeader.TYPE_ECHO_REQUEST, id, 1, DATA));
                try {
                    forwarder.forward(GUEST_IP, HOST_IP, 64, message);
                } finally {
                    message.release();
                }
            });
            assertEquals(hex(reply(HOST_IP, id, 1)), hex(fixture.sink.take()));
        }
        List<String> flows = fixture.call(forwarder::describeFlows);
        assertEquals(2, flows.size());
        assertTrue(flows.get(0).startsWith("192.168.127.2 -> 192.168.127.254 id 2 "), flows.get(0));
        assertTrue(flows.get(1).startsWith("192.168.127.2 -> 192.168.127.254 id 3 "), flows.get(1));
        assertEquals(1L, fixture.call(forwarder::snapshot).get("FlowsEvicted"));
        fixture.run(forwarder::close);
    }
}
