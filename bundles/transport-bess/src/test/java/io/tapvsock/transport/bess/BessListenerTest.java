package io.tapvsock.transport.bess;

import static io.tapvsock.transport.bess.GuestFrames.ARP;
import static io.tapvsock.transport.bess.GuestFrames.GATEWAY_MAC;
import static io.tapvsock.transport.bess.GuestFrames.IPV4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bess listeners on an epoll network loop in front of the real stack, driven by scripted SOCK_SEQPACKET
 * clients that speak to the gateway: ARP, then ICMP echo.
 */
@Timeout(60)
class BessListenerTest {

    private static final int MAX_FRAME = BessListenerComponent.DEFAULT_MAX_FRAME_SIZE;

    @TempDir
    Path dir;

    private MultiThreadIoEventLoopGroup group;
    private Stack stack;
    private StackNetwork network;
    private final LinkCounters counters = BessTransportStatus.newCounters();
    private final List<BessListener> listeners = new ArrayList<>();
    private final List<SeqpacketClient> clients = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        network = new StackNetwork(stack);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (SeqpacketClient client : clients) {
            client.close();
        }
        listeners.forEach(BessListener::close);
        group.submit(stack::close).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private BessListener listen(String name, int maxFrameSize) throws IOException {
        BessListener listener = new BessListener(network, BessAddress.parse("unixpacket://" + dir.resolve(name)),
                maxFrameSize, counters, PooledByteBufAllocator.DEFAULT);
        listener.start();
        listeners.add(listener);
        return listener;
    }

    private SeqpacketClient connect(BessListener listener) throws IOException {
        SeqpacketClient client = new SeqpacketClient(listener.address().path());
        clients.add(client);
        return client;
    }

    /** The gateway answers the client's ARP request: the client is a working switch port. */
    private static void assertArpAnswered(SeqpacketClient client) throws Exception {
        client.send(GuestFrames.arpRequest());
        byte[] reply = client.receive(ARP);
        while (reply[21] == 1) {
            reply = client.receive(ARP); // another client's request, flooded by the switch
        }
        assertEquals(42, reply.length);
        assertEquals(2, reply[21], "ARP opcode: reply");
        assertArrayEquals(GATEWAY_MAC, GuestFrames.arpSenderMac(reply));
    }

    /** An ICMP echo of {@code payloadLength} bytes to the gateway comes back with the same payload. */
    private static void assertEchoAnswered(SeqpacketClient client, int payloadLength) throws Exception {
        byte[] payload = new byte[payloadLength];
        new Random(payloadLength).nextBytes(payload);
        client.send(GuestFrames.echoRequest(7, 1, payload));
        byte[] reply = client.receive(IPV4);
        assertEquals(14 + 20 + 8 + payloadLength, reply.length);
        assertEquals(0, reply[34], "ICMP type: echo reply");
        assertArrayEquals(payload, Arrays.copyOfRange(reply, 42, reply.length));
    }

    /** Counters read on the network loop, so everything it counted so far is visible. */
    private Map<String, Object> stats() throws Exception {
        return group.submit(counters::snapshot).get(10, TimeUnit.SECONDS);
    }

    @SuppressWarnings("unchecked")
    private long closes(String reason) throws Exception {
        return (Long) ((Map<String, Object>) stats().get(BessTransportStatus.CLOSES)).getOrDefault(reason, 0L);
    }

    /** Waits until {@code count} connections ended for {@code reason}. */
    private void awaitCloses(String reason, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (closes(reason) < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + count + " closes for " + reason + ": " + stats());
            }
            Thread.sleep(5);
        }
    }

    private List<String> ports() throws Exception {
        return group.submit(stack::describePorts).get(10, TimeUnit.SECONDS);
    }

    @Test
    void framesFlowBothWays_throughTheRealStack() throws Exception {
        BessListener listener = listen("b.sock", MAX_FRAME);
        SeqpacketClient client = connect(listener);

        assertArpAnswered(client);
        assertEchoAnswered(client, 56);
        assertEchoAnswered(client, 1472);

        List<String> ports = ports();
        assertEquals(1, ports.size(), ports.toString());
        assertTrue(ports.get(0).contains("bess " + listener.address().url()), ports.toString());
        assertTrue(listener.describe().matches("bess unixpacket://.*b\\.sock  client  port \\d+"),
                listener.describe());
        Map<String, Object> stats = stats();
        assertEquals(3L, stats.get("framesIn"), stats.toString());
        assertEquals(42L + (42 + 56) + (42 + 1472), stats.get("bytesIn"), stats.toString());
        assertTrue((Long) stats.get("framesOut") >= 3, stats.toString());
        assertEquals(1L, stats.get(BessTransportStatus.CLIENTS_ACCEPTED));
        assertEquals(Map.of(), stats.get("dropsIn"), stats.toString());

        client.close();
        clients.remove(client);
        awaitCloses("peer-closed", 1);
        assertEquals(List.of(), ports());
        assertTrue(listener.describe().endsWith("no client"), listener.describe());
    }

    @Test
    void frameOfMaxSizePasses_oneByteMoreClosesOnlyThatConnection() throws Exception {
        BessListener small = listen("small.sock", 1514);
        BessListener other = listen("other.sock", MAX_FRAME);
        SeqpacketClient client = connect(small);
        SeqpacketClient bystander = connect(other);
        assertArpAnswered(client);
        assertArpAnswered(bystander);

        assertEchoAnswered(client, 1514 - 42);
        client.send(GuestFrames.echoRequest(7, 2, new byte[1515 - 42]));

        assertTrue(client.closedByServer());
        awaitCloses("frame-too-long", 1);
        assertEquals(1, ports().size(), "only the bystander's port is left");
        assertArpAnswered(bystander);
        assertEchoAnswered(bystander, 1000);
        assertEquals(0L, closes("peer-closed"));
    }

    @Test
    void secondClientIsRefused_theFirstKeepsWorking() throws Exception {
        BessListener listener = listen("b.sock", MAX_FRAME);
        SeqpacketClient first = connect(listener);
        assertArpAnswered(first);

        SeqpacketClient second = connect(listener);

        assertTrue(second.closedByServer());
        assertEquals(1L, stats().get(BessTransportStatus.CLIENTS_REFUSED));
        assertArpAnswered(first);
        assertEquals(1, ports().size());
    }

    @Test
    void aNewClientMayConnectAfterTheFirstLeft() throws Exception {
        BessListener listener = listen("b.sock", MAX_FRAME);
        SeqpacketClient first = connect(listener);
        assertArpAnswered(first);
        first.close();
        clients.remove(first);
        awaitCloses("peer-closed", 1);

        SeqpacketClient second = connect(listener);

        assertArpAnswered(second);
        assertEchoAnswered(second, 100);
        assertEquals(2L, stats().get(BessTransportStatus.CLIENTS_ACCEPTED));
        assertEquals(0L, stats().get(BessTransportStatus.CLIENTS_REFUSED));
    }

    @Test
    void anExistingPathIsRefused_andLeftAlone() throws Exception {
        Path path = dir.resolve("taken.sock");
        Files.writeString(path, "someone else's");

        IOException refused = assertThrows(IOException.class, () -> listen("taken.sock", MAX_FRAME));

        assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
        assertEquals("someone else's", Files.readString(path));
    }

    @Test
    void close_endsTheClient_andRemovesTheSocketFile() throws Exception {
        BessListener listener = listen("b.sock", MAX_FRAME);
        Path path = listener.address().path();
        assertTrue(Files.exists(path));
        SeqpacketClient client = connect(listener);
        assertArpAnswered(client);

        listener.close();

        assertTrue(client.closedByServer());
        assertFalse(Files.exists(path));
        assertEquals(1L, closes("listener-closed"));
        assertEquals(List.of(), ports());
        listener.close();
    }
}
