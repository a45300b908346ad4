package io.tapvsock.stack.udp;

import static io.tapvsock.stack.testing.TestFrames.GATEWAY_IP;
import static io.tapvsock.stack.testing.TestFrames.GATEWAY_MAC;
import static io.tapvsock.stack.testing.TestFrames.GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.GUEST_MAC;
import static io.tapvsock.stack.testing.TestFrames.HOST_IP;
import static io.tapvsock.stack.testing.TestFrames.OTHER_GUEST_IP;
import static io.tapvsock.stack.testing.TestFrames.ethernet;
import static io.tapvsock.stack.testing.TestFrames.hex;
import static io.tapvsock.stack.testing.TestFrames.ipv4;
import static io.tapvsock.stack.testing.TestFrames.ipv4Frame;
import static io.tapvsock.stack.testing.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.testing.StackFixture;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UdpNatTest {

    private StackFixture fixture;
    private DatagramSocket echoServer;
    private DatagramSocket silentServer;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
        if (echoServer != null) {
            echoServer.close();
        }
        if (silentServer != null) {
            silentServer.close();
        }
    }

    /** A UDP echo server on 127.0.0.1 answering with "echo:" + the request. */
    private int startEchoServer() throws SocketException {
        echoServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[2048];
            try {
                while (true) {
                    DatagramPacket request = new DatagramPacket(buffer, buffer.length);
                    echoServer.receive(request);
                    byte[] answer = ("echo:" + new String(request.getData(), 0, request.getLength(),
                            StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
                    echoServer.send(new DatagramPacket(answer, answer.length, request.getSocketAddress()));
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }, "udp-echo");
        thread.setDaemon(true);
        thread.start();
        return echoServer.getLocalPort();
    }

    /**
     * A bound port on 127.0.0.1 that never answers: flows to it stay open (a closed port would end them with
     * ICMP port unreachable).
     */
    private int silentPort() throws SocketException {
        silentServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return silentServer.getLocalPort();
    }

    private void guestSendsUdp(int destination, int sourcePort, int destinationPort, String payload) {
        fixture.guestSends(ipv4Frame(GUEST_IP, destination, Ipv4Header.PROTOCOL_UDP,
                udp(GUEST_IP, destination, sourcePort, destinationPort, payload.getBytes(StandardCharsets.US_ASCII))));
    }

    private static byte[] replyFrame(int from, int fromPort, int toPort, String payload) {
        return ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4, ipv4(from, GUEST_IP, Ipv4Header.PROTOCOL_UDP,
                udp(from, GUEST_IP, fromPort, toPort, payload.getBytes(StandardCharsets.US_ASCII))));
    }

    @Test
    void datagramsToTheHostIpReachLoopbackAndRepliesComeBackFromTheHostIp() throws Exception {
        fixture = new StackFixture();
        int port = startEchoServer();
        guestSendsUdp(HOST_IP, 40000, port, "one");
        assertEquals(hex(replyFrame(HOST_IP, port, 40000, "echo:one")), hex(fixture.sink.take()));
        guestSendsUdp(HOST_IP, 40000, port, "two");
        assertEquals(hex(replyFrame(HOST_IP, port, 40000, "echo:two")), hex(fixture.sink.take()));
        assertEquals(1, (int) fixture.call(fixture.stack::udpFlowCount));
        guestSendsUdp(HOST_IP, 40001, port, "three");
        assertEquals(hex(replyFrame(HOST_IP, port, 40001, "echo:three")), hex(fixture.sink.take()));
        assertEquals(2, (int) fixture.call(fixture.stack::udpFlowCount));
        @SuppressWarnings("unchecked")
        Map<String, Object> udp = (Map<String, Object>) fixture.call(fixture.stack::snapshot).get("UDP");
        assertEquals(3L, udp.get("PacketsSentToHost"));
        assertEquals(3L, udp.get("PacketsSent"));
        assertEquals(2L, udp.get("FlowsOpened"));
    }

    @Test
    void idleFlowsExpireOnTheInjectedClock() throws Exception {
        fixture = new StackFixture(NetworkSettings.defaults(), new StackLimits(90, 4096));
        int silent = silentPort();
        guestSendsUdp(HOST_IP, 40000, silent, "a");
        fixture.advanceSeconds(60);
        guestSendsUdp(HOST_IP, 40001, silent, "b");
        assertEquals(2, (int) fixture.call(fixture.stack::udpFlowCount));
        fixture.advanceSeconds(29);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(2, (int) fixture.call(fixture.stack::udpFlowCount));
        fixture.advanceSeconds(1);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(1, (int) fixture.call(fixture.stack::udpFlowCount), "the first flow is 90 s idle");
        fixture.advanceSeconds(60);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(0, (int) fixture.call(fixture.stack::udpFlowCount));
    }

    @Test
    void trafficKeepsAFlowAlive() throws Exception {
        fixture = new StackFixture();
        int silent = silentPort();
        guestSendsUdp(HOST_IP, 40000, silent, "a");
        fixture.advanceSeconds(80);
        guestSendsUdp(HOST_IP, 40000, silent, "a");
        fixture.advanceSeconds(80);
        fixture.run(fixture.stack::expireIdleFlows);
        assertEquals(1, (int) fixture.call(fixture.stack::udpFlowCount));
    }

    @Test
    void theLeastRecentlyUsedFlowMakesRoom() throws Exception {
        fixture = new StackFixture(NetworkSettings.defaults(), new StackLimits(90, 2));
        int silent = silentPort();
        guestSendsUdp(HOST_IP, 40001, silent, "a");
        fixture.advanceSeconds(1);
        guestSendsUdp(HOST_IP, 40002, silent, "b");
        fixture.advanceSeconds(1);
        guestSendsUdp(HOST_IP, 40001, silent, "a again");
        fixture.advanceSeconds(1);
        guestSendsUdp(HOST_IP, 40003, silent, "c");
        List<String> flows = fixture.call(fixture.stack::describeUdpFlows);
        assertEquals(2, flows.size());
        assertTrue(flows.get(0).startsWith("192.168.127.2:40001 -> 192.168.127.254:" + silent + " via 127.0.0.1:" + silent),
                flows.get(0));
        assertTrue(flows.get(1).startsWith("192.168.127.2:40003 -> "), flows.get(1));
        @SuppressWarnings("unchecked")
        Map<String, Object> udp = (Map<String, Object>) fixture.call(fixture.stack::snapshot).get("UDP");
        assertEquals(1L, udp.get("FlowsEvicted"));
    }

    @Test
    void refusedDestinationsAreCountedAndDropped() {
        fixture = new StackFixture();
        guestSendsUdp(0xA9FEA9FE, 40000, 80, "metadata");
        guestSendsUdp(OTHER_GUEST_IP, 40000, 80, "another guest via the gateway");
        guestSendsUdp(0xC0A87FFF, 40000, 80, "subnet broadcast");
        guestSendsUdp(0xE00000FB, 40000, 5353, "mdns");
        assertEquals(2, fixture.drops("udp-destination-refused"));
        assertEquals(1, fixture.drops("udp-broadcast"));
        assertEquals(1, fixture.drops("ipv4-multicast-unsupported"));
        assertEquals(0, (int) fixture.call(fixture.stack::udpFlowCount));
        assertNull(fixture.sink.poll());
    }

    @Test
    void hostAddressesFollowTheNatMapAndTheMetadataSwitch() throws Exception {
        fixture = new StackFixture();
        assertEquals(InetAddress.getByName("127.0.0.1"), fixture.stack.hostAddressFor(HOST_IP));
        assertEquals(InetAddress.getByName("8.8.8.8"), fixture.stack.hostAddressFor(0x08080808));
        assertNull(fixture.stack.hostAddressFor(0xA9FEA9FE));
        assertNull(fixture.stack.hostAddressFor(GATEWAY_IP));
        assertNull(fixture.stack.hostAddressFor(-1));
        assertNull(fixture.stack.hostAddressFor(0xE0000001));
        assertNull(fixture.stack.hostAddressFor(0x7F000001));
        fixture.close();
        fixture = new StackFixture(NetworkSettings.fromProperties(Map.of(NetworkSettings.EC2_METADATA_ACCESS, "true")),
                StackLimits.defaults());
        assertEquals(InetAddress.getByName("169.254.169.254"), fixture.stack.hostAddressFor(0xA9FEA9FE));
    }

    @Test
    void aClosedHostPortIsReportedToTheGuestAsIcmpPortUnreachableQuotingItsDatagram() throws Exception {
        fixture = new StackFixture();
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closedPort = probe.getLocalPort();
        }
        byte[] frame = ipv4Frame(GUEST_IP, HOST_IP, Ipv4Header.PROTOCOL_UDP,
                udp(GUEST_IP, HOST_IP, 40000, closedPort, "anyone?".getBytes(StandardCharsets.US_ASCII)));
        fixture.guestSends(frame);
        byte[] quote = Arrays.copyOfRange(frame, EthernetHeader.LENGTH, EthernetHeader.LENGTH + 20 + 8);
        byte[] message = new byte[8 + quote.length];
        message[0] = 3; // destination unreachable
        message[1] = 3; // port unreachable
        System.arraycopy(quote, 0, message, 8, quote.length);
        ByteBuf buf = Unpooled.wrappedBuffer(message);
        new IcmpHeader().wrapUnchecked(buf, 0, message.length).fillChecksum();
        buf.release();
        byte[] expected = ethernet(GUEST_MAC, GATEWAY_MAC, EthernetHeader.TYPE_IPV4,
                ipv4(HOST_IP, GUEST_IP, Ipv4Header.PROTOCOL_ICMP, message));
        assertEquals(hex(expected), hex(fixture.sink.take()));
        assertEquals(0, (int) fixture.call(fixture.stack::udpFlowCount), "the flow is closed");
        Map<String, Object> stats = fixture.call(fixture.stack::snapshot);
        @SuppressWarnings("unchecked")
        Map<String, Object> udp = (Map<String, Object>) stats.get("UDP");
        assertEquals(1L, udp.get("PortUnreachable"));
        @SuppressWarnings("unchecked")
        Map<String, Object> v4 = (Map<String, Object>) ((Map<String, Object>) stats.get("ICMP")).get("V4");
        @SuppressWarnings("unchecked")
        Map<String, Object> sent = (Map<String, Object>) v4.get("PacketsSent");
        assertEquals(1L, sent.get("DstUnreachable"));
    }

    @Test
    void repliesLargerThanTheMtuAreDropped() throws Exception {
        fixture = new StackFixture(NetworkSettings.fromProperties(Map.of(NetworkSettings.MTU, "100")),
                StackLimits.defaults());
        int port = startEchoServer();
        guestSendsUdp(HOST_IP, 40000, port, "x".repeat(60)); // 28 + 65 bytes fit in 100
        assertEquals(hex(replyFrame(HOST_IP, port, 40000, "echo:" + "x".repeat(60))), hex(fixture.sink.take()));
        guestSendsUdp(HOST_IP, 40000, port, "x".repeat(70)); // 28 + 75 > 100
        guestSendsUdp(HOST_IP, 40000, port, "y");
        assertEquals(hex(replyFrame(HOST_IP, port, 40000, "echo:y")), hex(fixture.sink.take()));
        assertEquals(1, fixture.drops("udp-reply-exceeds-mtu"));
    }
}
