package io.tapvsock.stack.tcp;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tapvsock.stack.testing.StackFixture;
import io.tapvsock.stack.testing.TestFrames;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Opening connections into a guest (GuestTcpConnector's path) as far as the stack alone decides: the SYN it
 * sends, and the refusals. The handshake and data with a real kernel: transport-tap's GuestChannelNamespaceTest.
 */
class GuestChannelConnectTest {

    private static final InetSocketAddress GUEST_8080 = new InetSocketAddress("192.168.127.2", 8080);

    private final StackFixture fixture = new StackFixture();

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    @Test
    void connect_sendsASynFromTheGivenAddressAndPort_withOurOptions() throws Exception {
        guestIsKnown();

        ChannelFuture connect = fixture.stack.connectTcp(new InetSocketAddress("10.1.2.3", 40000), GUEST_8080,
                new ChannelInboundHandlerAdapter());

        ByteBuffer syn = nextTcpSegment();
        assertEquals(0x0A010203, syn.getInt(14 + 12), "source address");
        assertEquals(GUEST_IP, syn.getInt(14 + 16), "destination address");
        assertEquals(40000, Short.toUnsignedInt(syn.getShort(34)), "source port");
        assertEquals(8080, Short.toUnsignedInt(syn.getShort(36)), "destination port");
        assertEquals(0x02, syn.get(34 + 13) & 0x3F, "flags: SYN only");
        assertTrue(((syn.get(34 + 12) & 0xF0) >> 4) * 4 > 20, "options (MSS, window scale, SACK, timestamps)");
        assertFalse(connect.isDone(), "waits for the guest's answer");
        assertEquals(1L, tcpStats().get("ActiveConnectionOpenings"));
    }

    @Test
    void connect_portZero_picksAnEphemeralPort_andTheChannelKnowsIt() throws Exception {
        guestIsKnown();

        ChannelFuture connect = fixture.stack.connectTcp(new InetSocketAddress("192.168.127.254", 0), GUEST_8080,
                new ChannelInboundHandlerAdapter());

        int port = Short.toUnsignedInt(nextTcpSegment().getShort(34));
        assertTrue(port >= 32768 && port < 61000, "port " + port);
        assertEquals(port, fixture.call(() -> ((InetSocketAddress) connect.channel().localAddress()).getPort()));
    }

    @Test
    void connect_sameSourceTwice_secondFailsAddressInUse() throws Exception {
        InetSocketAddress source = new InetSocketAddress("192.168.127.254", 40001);
        fixture.stack.connectTcp(source, GUEST_8080, new ChannelInboundHandlerAdapter());

        ChannelFuture second = fixture.stack.connectTcp(source, GUEST_8080, new ChannelInboundHandlerAdapter());

        assertInstanceOf(BindException.class, failure(second));
        assertTrue(second.channel().closeFuture().await(10, TimeUnit.SECONDS));
    }

    @Test
    void connect_outsideTheSubnet_isRefused_andCounted() throws Exception {
        ChannelFuture connect = fixture.stack.connectTcp(new InetSocketAddress("192.168.127.254", 0),
                new InetSocketAddress("10.9.9.9", 80), new ChannelInboundHandlerAdapter());

        Throwable cause = failure(connect);
        assertInstanceOf(ConnectException.class, cause);
        assertTrue(cause.getMessage().contains("not in the virtual network"), cause.getMessage());
        assertEquals(Map.of("connect-outside-subnet", 1L), tcpStats().get("FailedConnectionAttempts"));
    }

    @Test
    void connect_ipv6OrPortZero_isABadArgument() {
        ChannelFuture ipv6 = fixture.stack.connectTcp(new InetSocketAddress("::1", 0), GUEST_8080,
                new ChannelInboundHandlerAdapter());
        ChannelFuture noPort = fixture.stack.connectTcp(new InetSocketAddress("192.168.127.254", 0),
                new InetSocketAddress("192.168.127.2", 0), new ChannelInboundHandlerAdapter());

        assertInstanceOf(IllegalArgumentException.class, failure(ipv6));
        assertInstanceOf(IllegalArgumentException.class, failure(noPort));
    }

    /** The guest announces itself (ARP), so that the stack knows where to send. */
    private void guestIsKnown() {
        fixture.guestSends(TestFrames.arpRequest(GUEST_MAC, GUEST_IP, GATEWAY_IP));
        fixture.sink.poll(); // the ARP reply
    }

    private ByteBuffer nextTcpSegment() throws InterruptedException {
        for (int i = 0; i < 10; i++) {
            ByteBuffer frame = ByteBuffer.wrap(fixture.sink.take());
            if (frame.getShort(12) == 0x0800 && frame.get(14 + 9) == 6) {
                return frame;
            }
        }
        throw new AssertionError("no TCP segment");
    }

    private static Throwable failure(ChannelFuture future) {
        assertTrue(future.awaitUninterruptibly(10, TimeUnit.SECONDS));
        assertFalse(future.isSuccess());
        return future.cause();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> tcpStats() {
        return (Map<String, Object>) fixture.call(fixture.stack::snapshot).get("TCP");
    }
}
