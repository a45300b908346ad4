package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vpnkit listener on the real stack, with scripted clients standing in for hyperkit: the handshake's exact
 * bytes, ARP and ICMP echo with the gateway from two clients at once, and handshakes that go wrong.
 */
@Timeout(60)
class VpnkitListenerTest {

    private static final String DEFAULT_UUID = "c3d68012-0208-11ea-9fd7-f2189899ab08";
    private static final String OTHER_UUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private static final byte[] DEFAULT_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};
    private static final byte[] GATEWAY_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xdd};

    @TempDir
    Path dir;

    private MultiThreadIoEventLoopGroup group;
    private Stack stack;
    private VpnkitListener listener;
    private final LinkCounters counters = VsockTransportStatus.newCounters();
    private Path socket;

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        socket = dir.resolve("vpnkit.sock");
        VpnkitHandshake handshake = new VpnkitHandshake(
                VpnkitHandshake.parseMacs(List.of(VpnkitHandshake.DEFAULT_UUID_MAC)), new SplittableRandom(7));
        listener = new VpnkitListener(new StackNetwork(stack), ListenAddress.parse("unix://" + socket), 0,
                handshake, counters);
        listener.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        listener.close();
        group.submit(stack::close).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Object counter(String name) throws Exception {
        return group.submit(() -> counters.snapshot().get(name)).get();
    }

    /** Runs the handshake and returns the 258-byte answer. */
    private static byte[] handshake(HyperkitClient client, String uuid) throws IOException {
        byte[] hello = HyperkitClient.hello();
        client.write(hello);
        assertArrayEquals(hello, client.read(hello.length), "the hello comes back as it was");
        client.write(HyperkitClient.command(uuid));
        return client.read(VpnkitHandshake.REPLY_LENGTH);
    }

    @Test
    void handshake_answer_is_exactly_258_bytes_with_mtu_and_mapped_mac() throws Exception {
        try (HyperkitClient client = HyperkitClient.connect(socket)) {
            byte[] reply = handshake(client, DEFAULT_UUID);
            byte[] expected = new byte[258];
            byte[] head = HexFormat.of().parseHex("01dc05ea055a94efe40cee");
            System.arraycopy(head, 0, expected, 0, head.length);
            assertArrayEquals(expected, reply);
        }
        assertEquals(1L, counter(VsockTransportStatus.HANDSHAKES));
    }

    @Test
    void two_clients_at_once_reach_the_gateway_with_arp_and_ping() throws Exception {
        try (HyperkitClient first = HyperkitClient.connect(socket);
                HyperkitClient second = HyperkitClient.connect(socket)) {
            byte[] firstMac = Arrays.copyOfRange(handshake(first, DEFAULT_UUID), 5, 11);
            byte[] secondMac = Arrays.copyOfRange(handshake(second, OTHER_UUID), 5, 11);
            assertArrayEquals(DEFAULT_MAC, firstMac);
            assertEquals(2, secondMac[0] & 3, "an unmapped UUID gets a local unicast MAC");

            first.send(GuestFrames.arpRequestForGateway(firstMac, 2));
            second.send(GuestFrames.arpRequestForGateway(secondMac, 3));
            byte[] firstArp = first.receive(firstMac, 0x0806);
            byte[] secondArp = second.receive(secondMac, 0x0806);
            assertEquals(2, firstArp[21], "ARP operation: reply");
            assertArrayEquals(firstMac, Arrays.copyOfRange(firstArp, 0, 6), "to the first client");
            assertArrayEquals(GATEWAY_MAC, Arrays.copyOfRange(firstArp, 22, 28), "the gateway's MAC");
            assertArrayEquals(secondMac, Arrays.copyOfRange(secondArp, 0, 6), "to the second client");

            first.send(GuestFrames.icmpEchoToGateway(firstMac, GATEWAY_MAC, 2, 1));
            second.send(GuestFrames.icmpEchoToGateway(secondMac, GATEWAY_MAC, 3, 2));
            byte[] firstPong = first.receive(firstMac, 0x0800);
            byte[] secondPong = second.receive(secondMac, 0x0800);
            assertEquals(0, firstPong[34], "ICMP type: echo reply");
            assertEquals(2, firstPong[33], "to .2");
            assertEquals(0, secondPong[34]);
            assertEquals(3, secondPong[33], "to .3");
            assertEquals(2, listener.clientCount());
        }
        assertEquals(2L, counter(VsockTransportStatus.HANDSHAKES));
        assertEquals(2L, counter(VsockTransportStatus.VPNKIT_CLIENTS));
        assertTrue((Long) counter("framesIn") >= 4);
    }

    @Test
    void a_command_without_a_uuid_closes_that_connection_only() throws Exception {
        try (HyperkitClient good = HyperkitClient.connect(socket)) {
            handshake(good, DEFAULT_UUID);
            try (HyperkitClient bad = HyperkitClient.connect(socket)) {
                bad.write(HyperkitClient.hello());
                bad.read(VpnkitHandshake.HELLO_LENGTH);
                bad.write(HyperkitClient.command("this is not a uuid at all, not at all"));
                assertEquals(-1, bad.readByteOrEnd(), "closed without an answer");
            }
            good.send(GuestFrames.arpRequestForGateway(DEFAULT_MAC, 2));
            assertEquals(2, good.receive(0x0806)[21], "the other client is served on");
        }
        assertEquals(Map.of("bad-uuid", 1L), counter(VsockTransportStatus.HANDSHAKE_FAILURES));
    }

    @Test
    void a_client_leaving_inside_the_hello_is_counted() throws Exception {
        try (HyperkitClient client = HyperkitClient.connect(socket)) {
            client.write(new byte[] {'V', 'M', 'N'});
        }
        try (HyperkitClient client = HyperkitClient.connect(socket)) {
            client.write(HyperkitClient.hello());
            client.read(VpnkitHandshake.HELLO_LENGTH);
            client.write(new byte[] {1, 'c', '3'});
        }
        // A third client's full handshake is processed after both closes (one loop, in order of events).
        try (HyperkitClient client = HyperkitClient.connect(socket)) {
            handshake(client, DEFAULT_UUID);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (((Map<?, ?>) counter(VsockTransportStatus.HANDSHAKE_FAILURES)).size() < 2
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(Map.of("short-hello", 1L, "short-command", 1L),
                counter(VsockTransportStatus.HANDSHAKE_FAILURES));
    }

    @Test
    void a_zero_length_frame_after_the_handshake_closes_the_connection() throws Exception {
        try (HyperkitClient client = HyperkitClient.connect(socket)) {
            handshake(client, DEFAULT_UUID);
            client.write(new byte[] {0, 0});
            assertThrows(IOException.class, () -> client.receive(0x0806));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (((Map<?, ?>) counter(StreamPort.CLOSES)).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(Map.of("bad-length-zero", 1L), counter(StreamPort.CLOSES));
    }

    @Test
    void an_existing_socket_path_is_refused_and_closing_removes_ours() throws Exception {
        VpnkitListener second = new VpnkitListener(new StackNetwork(stack), ListenAddress.parse("unix://" + socket),
                0, new VpnkitHandshake(Map.of(), new SplittableRandom()), counters);
        IOException refused = assertThrows(IOException.class, second::start);
        assertTrue(refused.getMessage().contains("already exists"), refused.getMessage());
        assertTrue(Files.exists(socket));
        listener.close();
        assertTrue(Files.notExists(socket));
    }
}
