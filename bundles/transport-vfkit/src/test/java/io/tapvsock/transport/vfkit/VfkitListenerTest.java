package io.tapvsock.transport.vfkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vfkit listener on the real stack, with datagram clients standing in for vfkit: the VFKT handshake, ARP to
 * the gateway, datagrams from a second address, runts and oversize datagrams, and a peer that goes away.
 */
@Timeout(60)
class VfkitListenerTest {

    private static final int MAX_FRAME = 1514;
    private static final byte[] GUEST_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};

    @TempDir
    Path dir;

    private MultiThreadIoEventLoopGroup group;
    private MultiThreadIoEventLoopGroup clients;
    private Stack stack;
    private VfkitListener listener;
    private final LinkCounters counters = VfkitTransportStatus.newCounters();
    private Path socket;

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        clients = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        socket = dir.resolve("vfkit.sock");
        listener = new VfkitListener(new StackNetwork(stack), "unixgram://" + socket, MAX_FRAME, counters);
        listener.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        listener.close();
        group.submit(stack::close).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        clients.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A datagram client bound to its own path; what it receives lands in a queue. */
    private final class Client implements AutoCloseable {
        final Path path;
        final Channel channel;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

        Client(String name) {
            path = dir.resolve(name);
            channel = new Bootstrap().group(clients).channel(EpollDomainDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                            received.add(ByteBufUtil.getBytes(packet.content()));
                        }
                    }).bind(new DomainSocketAddress(path.toString())).syncUninterruptibly().channel();
        }

        void send(byte[] datagram) {
            ByteBuf content = Unpooled.wrappedBuffer(datagram);
            channel.writeAndFlush(new DomainDatagramPacket(content, new DomainSocketAddress(socket.toString())))
                    .syncUninterruptibly();
        }

        /** The next frame of the given EtherType, skipping others (IPv6 router solicitations and such). */
        byte[] awaitEtherType(int etherType) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                byte[] frame = received.poll(100, TimeUnit.MILLISECONDS);
                if (frame != null && frame.length >= 14 && ((frame[12] & 0xff) << 8 | frame[13] & 0xff) == etherType) {
                    return frame;
                }
            }
            return null;
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }

    private static byte[] arpRequestForGateway(byte[] mac, int lastOctet) {
        ByteBuffer frame = ByteBuffer.allocate(42);
        frame.put(new byte[] {-1, -1, -1, -1, -1, -1}).put(mac).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        frame.put(mac).put(new byte[] {(byte) 192, (byte) 168, 127, (byte) lastOctet});
        frame.put(new byte[6]).put(new byte[] {(byte) 192, (byte) 168, 127, 1});
        return frame.array();
    }

    private long count(String name) throws Exception {
        return group.submit(() -> (Long) counters.snapshot().get(name)).get();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> reasons(String group) throws Exception {
        return this.group.submit(() -> (Map<String, Object>) counters.snapshot().get(group)).get();
    }

    @Test
    void handshakeThenArpToTheGateway() throws Exception {
        try (Client vfkit = new Client("a.sock")) {
            vfkit.send(new byte[] {'V', 'F', 'K', 'T', 0, 0, 0, 1});
            vfkit.send(arpRequestForGateway(GUEST_MAC, 2));
            byte[] reply = vfkit.awaitEtherType(0x0806);
            assertNotNull(reply, "an ARP reply from the gateway");
            assertEquals(2, reply[21], "ARP operation: reply");
            assertEquals(1, count(VfkitTransportStatus.HANDSHAKES));
            assertEquals(1, count(VfkitTransportStatus.PEERS));
            assertEquals(1, count("framesIn"));
        }
    }

    /** An ICMP echo request to the gateway: Ethernet, IPv4 (RFC 791) and ICMP (RFC 792) with their checksums. */
    private static byte[] pingGateway(byte[] gatewayMac, byte[] mac, int lastOctet) {
        byte[] payload = "vfkit-ping".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ByteBuffer icmp = ByteBuffer.allocate(8 + payload.length);
        icmp.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x1234).putShort((short) 1).put(payload);
        icmp.putShort(2, checksum(icmp.array()));
        ByteBuffer ip = ByteBuffer.allocate(20 + icmp.capacity());
        ip.put((byte) 0x45).put((byte) 0).putShort((short) ip.capacity()).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 1).putShort((short) 0)
                .put(new byte[] {(byte) 192, (byte) 168, 127, (byte) lastOctet})
                .put(new byte[] {(byte) 192, (byte) 168, 127, 1});
        ip.putShort(10, checksum(java.util.Arrays.copyOf(ip.array(), 20)));
        ip.put(icmp.array());
        ByteBuffer frame = ByteBuffer.allocate(14 + ip.capacity());
        frame.put(gatewayMac).put(mac).putShort((short) 0x0800).put(ip.array());
        return frame.array();
    }

    private static short checksum(byte[] bytes) {
        int sum = 0;
        for (int i = 0; i < bytes.length; i += 2) {
            sum += (bytes[i] & 0xff) << 8 | (i + 1 < bytes.length ? bytes[i + 1] & 0xff : 0);
        }
        while (sum >> 16 != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }

    @Test
    void pingTheGateway() throws Exception {
        try (Client vfkit = new Client("a.sock")) {
            vfkit.send(arpRequestForGateway(GUEST_MAC, 2));
            byte[] arp = vfkit.awaitEtherType(0x0806);
            assertNotNull(arp, "an ARP reply from the gateway");
            byte[] gatewayMac = java.util.Arrays.copyOfRange(arp, 22, 28);
            vfkit.send(pingGateway(gatewayMac, GUEST_MAC, 2));
            byte[] reply = vfkit.awaitEtherType(0x0800);
            assertNotNull(reply, "an IPv4 answer from the gateway");
            assertEquals(1, reply[23], "IP protocol: ICMP");
            assertEquals(0, reply[34], "ICMP type: echo reply");
            assertEquals("vfkit-ping", new String(reply, 42, 10, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }

    @Test
    void closeRemovesTheSocketFile() {
        assertTrue(Files.exists(socket));
        listener.close();
        assertFalse(Files.exists(socket), "the socket file is gone after close");
        listener.close(); // idempotent
    }

    @Test
    void aFrameFirst_learnsThePeerToo_andOthersAreDropped() throws Exception {
        try (Client a = new Client("a.sock"); Client b = new Client("b.sock")) {
            a.send(arpRequestForGateway(GUEST_MAC, 2));
            assertNotNull(a.awaitEtherType(0x0806));
            b.send(arpRequestForGateway(new byte[] {2, 0, 0, 0, 0, 7}, 7));
            a.send(new byte[10]);
            a.send(new byte[MAX_FRAME + 100]);
            a.send(arpRequestForGateway(GUEST_MAC, 2));
            assertNotNull(a.awaitEtherType(0x0806), "the peer still works after the bad datagrams");
            assertEquals(Map.of("foreign-sender", 1L, "runt", 1L, "frame-too-long", 1L), reasons(LinkCounters.DROPS_IN));
            assertTrue(b.received.isEmpty(), "nothing goes to the second address");
        }
    }

    @Test
    void aPeerThatWentAway_isForgotten_andTheNextSenderTakesItsPlace() throws Exception {
        try (Client a = new Client("a.sock"); Client b = new Client("b.sock")) {
            a.send(arpRequestForGateway(GUEST_MAC, 2));
            assertNotNull(a.awaitEtherType(0x0806));
            Files.delete(a.path); // sends to a.sock now fail with ENOENT
            a.send(arpRequestForGateway(GUEST_MAC, 2));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reasons(VfkitTransportStatus.PEER_LOSSES).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(reasons(VfkitTransportStatus.PEER_LOSSES).isEmpty(), "the failed send forgot the peer");
            b.send(arpRequestForGateway(new byte[] {2, 0, 0, 0, 0, 7}, 7));
            assertNotNull(b.awaitEtherType(0x0806), "the next sender is the new peer");
            assertEquals(2, count(VfkitTransportStatus.PEERS));
        }
    }

    @Test
    void anExistingPathOrABadUrlIsRefused() throws IOException {
        assertThrows(IOException.class, () -> new VfkitListener(new StackNetwork(stack), "unixgram://" + socket,
                MAX_FRAME, counters).start());
        assertThrows(IllegalArgumentException.class, () -> VfkitAddress.parse("unix:///tmp/x.sock"));
        assertThrows(IllegalArgumentException.class, () -> VfkitAddress.parse("unixgram://relative"));
    }
}
