package io.tapvsock.service.dns.core;

import static io.tapvsock.service.dns.testing.Messages.count;
import static io.tapvsock.service.dns.testing.Messages.id;
import static io.tapvsock.service.dns.testing.Messages.query;
import static io.tapvsock.service.dns.testing.Messages.rcode;
import static io.tapvsock.service.dns.testing.Messages.truncated;
import static io.tapvsock.service.dns.testing.Messages.withoutId;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.tapvsock.service.dns.core.DnsCounters.Counter;
import io.tapvsock.service.dns.testing.Messages;
import io.tapvsock.service.dns.testing.TestUpstream;
import io.tapvsock.service.dns.upstream.ForwarderSettings;
import io.tapvsock.service.dns.upstream.NettyForwarder;
import io.tapvsock.service.dns.upstream.UpstreamServers;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server against a real DNS server on 127.0.0.1, on an NIO and (where it loads) an epoll network loop. */
class DnsServerForwardingTest {

    private static final int CEILING = 1472;

    private EventLoopGroup group;
    private EventLoop loop;
    private TestUpstream upstream;
    private NettyForwarder forwarder;
    private DnsServer server;
    private final DnsCounters counters = new DnsCounters();

    private void start(String loopKind, List<InetSocketAddress> servers, int attempts) throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, loopKind.equals("epoll") && Epoll.isAvailable()
                ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        loop = group.next();
        ForwarderSettings settings = new ForwarderSettings(
                new UpstreamServers(servers, Path.of("/nonexistent"), System::nanoTime), Duration.ofMillis(500),
                attempts, 64);
        forwarder = new NettyForwarder(loop, settings, counters, ByteBufAllocator.DEFAULT);
        server = new DnsServer(new Zones(List.of(new Zone("containers.internal.",
                List.of(ZoneRecord.named("gateway", io.tapvsock.api.Ipv4Address.parse("192.168.127.1"))), null))),
                forwarder, counters, ByteBufAllocator.DEFAULT);
    }

    private void startWithUpstream(String loopKind) throws Exception {
        upstream = new TestUpstream();
        start(loopKind, List.of(upstream.address()), 2);
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.submit(() -> forwarder.close()).get(5, TimeUnit.SECONDS);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    /** Asks over UDP (ceiling = the link's limit) or TCP (ceiling < 0) and waits for the one reply. */
    private byte[] ask(byte[] query, int ceiling) throws Exception {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        loop.execute(() -> {
            ByteBuf message = Unpooled.wrappedBuffer(query);
            try {
                java.util.function.Consumer<ByteBuf> sink = answer -> {
                    try {
                        byte[] bytes = new byte[answer.readableBytes()];
                        answer.getBytes(answer.readerIndex(), bytes);
                        if (!reply.complete(bytes)) {
                            throw new AssertionError("a second reply");
                        }
                    } finally {
                        answer.release();
                    }
                };
                if (ceiling < 0) {
                    server.answerTcp(message, sink);
                } else {
                    server.answerUdp(message, ceiling, sink);
                }
            } finally {
                message.release();
            }
        });
        return reply.get(20, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void everyType_isRelayedUnchangedButForTheId(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        int[][] cases = {{Messages.A}, {Messages.AAAA}, {Messages.MX}, {Messages.TXT}, {Messages.SRV},
            {Messages.SOA}, {Messages.HTTPS}};
        int guestId = 0x1234;
        for (int[] type : cases) {
            byte[] reply = ask(query(guestId, "www.example.com.", type[0], -1), CEILING);
            assertEquals(guestId, id(reply), "the guest's ID is restored");
            int upstreamId = upstream.idsSeen().getLast();
            byte[] sent = upstream.answerFor(upstreamId);
            assertArrayEquals(withoutId(sent), withoutId(reply), "type " + type[0] + " relayed byte for byte");
            assertEquals(1, count(reply, 1), "type " + type[0] + " has its answer");
        }
        byte[] ptr = ask(query(7, "1.2.0.192.in-addr.arpa.", Messages.PTR, -1), CEILING);
        assertEquals(Messages.PTR, Messages.records(ptr).getFirst().type());
        byte[] txt = ask(query(8, "www.example.com.", Messages.TXT, -1), CEILING);
        assertEquals(302, Messages.records(txt).getFirst().rdata().length, "TXT over 255 bytes intact");
        assertEquals(9, counters.get(Counter.FORWARDED));
        assertEquals(9, counters.get(Counter.RELAYED));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void idSentUpstream_isNotTheGuests(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        // 16 queries with one ID: a fixed ID upstream would show up 16 times; random ones almost never do.
        for (int i = 0; i < 16; i++) {
            assertEquals(0x4242, id(ask(query(0x4242, "www.example.com.", Messages.A, -1), CEILING)));
        }
        assertTrue(upstream.idsSeen().stream().filter(seen -> seen == 0x4242).count() < 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void truncatedUpstreamAnswer_isAskedAgainOverTcp(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        // Over TCP the guest gets the whole 1000+ byte answer.
        byte[] overTcp = ask(query(1, "big.example.com.", Messages.TXT, -1), -1);
        assertFalse(truncated(overTcp));
        assertEquals(1, count(overTcp, 1));
        assertTrue(overTcp.length > 1000);
        assertEquals(1, upstream.udpQueries.get());
        assertEquals(1, upstream.tcpQueries.get());
        assertEquals(1, counters.get(Counter.UPSTREAM_TCP_RETRIES));

        // A guest with EDNS0 1232 takes it over UDP.
        byte[] edns = ask(query(2, "big.example.com.", Messages.TXT, 1232), CEILING);
        assertFalse(truncated(edns));
        assertEquals(overTcp.length, edns.length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void answerOverTheGuestsUdpLimit_isTruncatedWithTc(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        byte[] query = query(3, "big.example.com.", Messages.TXT, -1);
        byte[] reply = ask(query, CEILING);
        assertTrue(truncated(reply), "TC set: the guest retries over TCP");
        assertEquals(3, id(reply));
        assertTrue(reply.length <= 512);
        assertEquals(1, count(reply, 0), "the question is kept");
        assertEquals(0, count(reply, 1));
        assertEquals(1, counters.get(Counter.TRUNCATED));

        // EDNS0 256 means 512 (RFC 6891 §6.2.5); an OPT goes back.
        byte[] small = ask(query(4, "big.example.com.", Messages.TXT, 256), CEILING);
        assertTrue(truncated(small));
        assertEquals(1, count(small, 3));
        assertEquals(Messages.OPT, Messages.records(small).getFirst().type());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void upstreamErrors_areRelayed(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        byte[] reply = ask(query(5, "missing.example.com.", Messages.A, -1), CEILING);
        assertEquals(3, rcode(reply), "the upstream's NXDOMAIN, not ours");
        assertEquals(0, counters.get(Counter.SERVFAIL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void nothingListening_givesServfail(String loopKind) throws Exception {
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        start(loopKind, List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)), 2);
        byte[] reply = ask(query(6, "www.example.com.", Messages.A, -1), CEILING);
        assertEquals(2, rcode(reply), "SERVFAIL");
        assertEquals(6, id(reply));
        assertEquals(1, count(reply, 0));
        assertEquals(0, count(reply, 1), "no answer is made up");
        assertEquals(1, counters.get(Counter.SERVFAIL));
        assertEquals(2, counters.get(Counter.UPSTREAM_ERRORS) + counters.get(Counter.UPSTREAM_TIMEOUTS));
        assertEquals(0, loop.submit(forwarder::inFlight).get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void secondServer_isTriedWhenTheFirstFails(String loopKind) throws Exception {
        upstream = new TestUpstream();
        int closedPort;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        start(loopKind, List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort),
                upstream.address()), 2);
        byte[] reply = ask(query(9, "www.example.com.", Messages.AAAA, -1), CEILING);
        assertEquals(0, rcode(reply));
        assertEquals(1, count(reply, 1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio"})
    void localNames_neverGoUpstream(String loopKind) throws Exception {
        startWithUpstream(loopKind);
        byte[] reply = ask(query(10, "gateway.containers.internal.", Messages.A, -1), CEILING);
        assertEquals(0, rcode(reply));
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 127, 1}, Messages.records(reply).getFirst().rdata());
        assertEquals(0, upstream.udpQueries.get());
        assertNotEquals(0, counters.get(Counter.ANSWERED_LOCALLY));
    }
}
