package io.tapvsock.stack.tcp;

import static io.tapvsock.stack.wire.TcpHeader.ACK;
import static io.tapvsock.stack.wire.TcpHeader.FIN;
import static io.tapvsock.stack.wire.TcpHeader.RST;
import static io.tapvsock.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.TcpHeader;
import io.tapvsock.stack.wire.TcpRepr;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TcpNat end to end: scripted guest segments in, a real host socket on 127.0.0.1 behind. */
class TcpNatTest {

    private static final int GUEST_IP = 0xC0A8_7F02; // 192.168.127.2
    private static final int HOST_VIRTUAL_IP = 0xC0A8_7FFE; // 192.168.127.254, NATed to 127.0.0.1
    private static final int BLOCKED_IP = 0xA9FE_A9FE; // 169.254.169.254
    private static final int GUEST_PORT = 40000;
    private static final int ISN = 7000;
    private static final long MS = 1_000_000L;

    private static final TcpSettings SETTINGS = new TcpSettings(1 << 20, 1 << 20, 200 * MS, 60_000 * MS,
            1000 * MS, 50 * MS, 5_000, 128, 16384, 64, 15, 60_000 * MS, 0, 75_000 * MS, 9, TcpSettings.DEFAULT_DELAYED_ACK);

    private EventLoopGroup group;
    private TestContext context;
    private TcpNat nat;
    private ServerSocket server;

    /** A segment the NAT sent to the guest. */
    private record Sent(TcpRepr tcp, byte[] payload) {
    }

    private final class TestContext implements StackContext {
        final EventLoop loop = group.next();
        final LinkedBlockingQueue<Sent> sent = new LinkedBlockingQueue<>();
        final List<String> drops = new ArrayList<>();
        int flushes;

        @Override
        public EventLoop loop() {
            return loop;
        }

        @Override
        public ByteBufAllocator alloc() {
            return ByteBufAllocator.DEFAULT;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public NetworkSettings settings() {
            return NetworkSettings.defaults();
        }

        @Override
        public HostChannels hostChannels() {
            return HostChannels.detect();
        }

        @Override
        public void sendIpv4(int source, int destination, int protocol, ByteBuf l4) {
            try {
                assertEquals(Ipv4Header.PROTOCOL_TCP, protocol);
                assertEquals(GUEST_IP, destination);
                TcpHeader header = new TcpHeader();
                assertNull(header.wrapChecked(l4, l4.readerIndex(), l4.readableBytes()));
                assertTrue(header.checksumValid(source, destination), "checksum");
                TcpRepr tcp = TcpRepr.parse(header);
                byte[] payload = ByteBufUtil.getBytes(l4, header.payloadOffset(), header.payloadLength());
                sent.add(new Sent(tcp, payload));
            } finally {
                l4.release();
            }
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public InetAddress hostAddressFor(int destination) {
            return destination == HOST_VIRTUAL_IP ? InetAddress.getLoopbackAddress() : null;
        }

        @Override
        public void drop(String reason) {
            drops.add(reason);
        }
    }

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, HostChannels.detect().ioHandlerFactory());
        context = new TestContext();
        nat = new TcpNat(context, SETTINGS);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        server.setSoTimeout(5000);
    }

    @AfterEach
    void stop() throws Exception {
        onLoop(() -> {
            nat.close();
            return null;
        });
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return context.loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    /** One guest segment as the IPv4 layer would hand it over, and the end of the guest's burst. */
    private void guest(int destination, TcpRepr tcp, byte[] payload) throws Exception {
        onLoop(() -> {
            int headerLen = tcp.headerLen();
            ByteBuf frame = Unpooled.buffer(headerLen + payload.length);
            try {
                frame.writerIndex(headerLen);
                ByteBuf data = Unpooled.wrappedBuffer(payload);
                tcp.emit(new TcpHeader().wrapUnchecked(frame, 0, headerLen), GUEST_IP, destination, data);
                frame.writeBytes(data);
                data.release();
                nat.receive(GUEST_IP, destination, frame);
                nat.endOfBurst();
            } finally {
                frame.release();
            }
            return null;
        });
    }

    private Sent next() throws InterruptedException {
        Sent sent = context.sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(sent, "no segment for the guest");
        return sent;
    }

    private static TcpRepr syn(int port) {
        return TcpRepr.of(GUEST_PORT, port, ISN, 0, SYN, 65535).withMss(1460).withWindowScale(7)
                .withTimestamps(100, 0);
    }

    private static TcpRepr ack(int port, int seq, int ack) {
        return TcpRepr.of(GUEST_PORT, port, seq, ack, ACK, 2048).withTimestamps(101, 0);
    }

    private static byte[] readFully(InputStream in, int length) throws Exception {
        return in.readNBytes(length);
    }

    private void waitFor(Callable<Boolean> condition) throws Exception {
        for (int i = 0; i < 500 && !onLoop(condition); i++) {
            Thread.sleep(10);
        }
        assertTrue(onLoop(condition));
    }

    /** Several guest segments in one burst: all received, then one end of burst. */
    private void guestBurst(int destination, List<TcpRepr> segments, List<byte[]> payloads) throws Exception {
        onLoop(() -> {
            for (int i = 0; i < segments.size(); i++) {
                TcpRepr tcp = segments.get(i);
                byte[] payload = payloads.get(i);
                int headerLen = tcp.headerLen();
                ByteBuf frame = Unpooled.buffer(headerLen + payload.length);
                try {
                    frame.writerIndex(headerLen);
                    ByteBuf data = Unpooled.wrappedBuffer(payload);
                    tcp.emit(new TcpHeader().wrapUnchecked(frame, 0, headerLen), GUEST_IP, destination, data);
                    frame.writeBytes(data);
                    data.release();
                    nat.receive(GUEST_IP, destination, frame);
                } finally {
                    frame.release();
                }
            }
            nat.endOfBurst();
            return null;
        });
    }

    private void replaceNat(TcpSettings settings) throws Exception {
        onLoop(() -> {
            nat.close();
            nat = new TcpNat(context, settings);
            return null;
        });
    }

    @Test
    void blackholedConnects_doNotDelayAConnectToALivePort() throws Exception {
        // A listener whose accept queue is full and never drained drops SYNs: connects to it hang.
        try (ServerSocket blackhole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int dead = blackhole.getLocalPort();
            List<TcpRepr> syns = new ArrayList<>();
            List<byte[]> empty = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                syns.add(syn(dead).withPorts(20_000 + i, dead));
                empty.add(new byte[0]);
            }
            guestBurst(HOST_VIRTUAL_IP, syns, empty);
            @SuppressWarnings("unchecked")
            Map<String, Long> held = (Map<String, Long>) onLoop(nat::snapshot).get("FailedConnectionAttempts");
            assertEquals(200 - SETTINGS.maxPendingConnects(), held.get("pending-connect-limit"),
                    "SYNs beyond the per-destination limit are held back, not answered");

            int live = server.getLocalPort();
            guest(HOST_VIRTUAL_IP, syn(live), new byte[0]);
            try (Socket accepted = server.accept()) {
                Sent synAck;
                do {
                    synAck = next();
                } while (synAck.tcp().destinationPort() != GUEST_PORT);
                assertEquals(SYN | ACK, synAck.tcp().flags());
                int pending = (Integer) onLoop(nat::snapshot).get("PendingConnects");
                assertTrue(pending >= SETTINGS.maxPendingConnects() - 10,
                        "the live connect completed while " + pending + " blackholed ones were still pending");
            }
        }
    }

    @Test
    void connectionLimit_refusesWithRst() throws Exception {
        replaceNat(SETTINGS.withLimits(1, 128, 5_000, 1 << 20));
        int port = server.getLocalPort();
        guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
        try (Socket accepted = server.accept()) {
            assertEquals(SYN | ACK, next().tcp().flags());
            guest(HOST_VIRTUAL_IP, syn(port).withPorts(GUEST_PORT + 1, port), new byte[0]);
            Sent rst = next();
            assertEquals(RST | ACK, rst.tcp().flags());
            assertEquals(GUEST_PORT + 1, rst.tcp().destinationPort());
            @SuppressWarnings("unchecked")
            Map<String, Long> failed = (Map<String, Long>) onLoop(nat::snapshot).get("FailedConnectionAttempts");
            assertEquals(1L, failed.get("connection-limit"));
        }
    }

    @Test
    void slowHostReader_windowClosesThenRecovers_memoryBounded_byteExact() throws Exception {
        int bufferBytes = 256 * 1024;
        replaceNat(SETTINGS.withLimits(16384, 128, 5_000, bufferBytes));
        int shift = SETTINGS.withLimits(16384, 128, 5_000, bufferBytes).windowScale();
        try (ServerSocket slow = new ServerSocket()) {
            slow.setReceiveBufferSize(8192);
            slow.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = slow.getLocalPort();
            guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
            try (Socket accepted = slow.accept()) {
                Sent synAck = next();
                int iss = synAck.tcp().seq();
                long edge = synAck.tcp().window(); // right edge, relative to ISN + 1
                long sent = 0;
                byte[] bytes = new byte[24 << 20];
                new java.util.Random(7).nextBytes(bytes);
                guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1), new byte[0]);
                edge = drainAcks(edge, shift);
                // Send as the offered window allows until it closes: nobody reads on the host side.
                boolean closed = false;
                while (!closed && sent < bytes.length) {
                    sent += sendWindow(port, iss, bytes, sent, edge);
                    long before = edge;
                    edge = drainAcks(edge, shift);
                    closed = edge <= sent && edge == before;
                }
                assertTrue(closed, "the window closed before " + sent + " bytes");
                // Netty counts 96 bytes of bookkeeping per queued write on top of the data: at most one per segment.
                long bound = bufferBytes + 96L * (bufferBytes / 1000);
                long toHost = onLoop(nat::bufferedTowardHosts);
                assertTrue(toHost <= bound, toHost + " bytes held toward the host");
                // The host reads again: the window reopens and every byte arrives in order.
                java.util.concurrent.CompletableFuture<byte[]> reader = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> {
                            try {
                                return accepted.getInputStream().readNBytes(bytes.length);
                            } catch (java.io.IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                boolean reopened = false;
                while (sent < bytes.length) {
                    long before = edge;
                    edge = drainAcks(edge, shift);
                    reopened |= edge > before;
                    sent += sendWindow(port, iss, bytes, sent, edge);
                    assertTrue(onLoop(nat::bufferedTowardHosts) <= bound);
                }
                assertTrue(reopened);
                assertArrayEquals(bytes, reader.get(30, TimeUnit.SECONDS));
            }
        }
    }

    /** Sends guest data from {@code sent} up to the right edge in one burst; returns the bytes sent. */
    private long sendWindow(int port, int iss, byte[] bytes, long sent, long edge) throws Exception {
        List<TcpRepr> segments = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        long at = sent;
        while (at < edge && at < bytes.length && segments.size() < 64) {
            int n = (int) Math.min(1400, Math.min(edge - at, bytes.length - at));
            segments.add(ack(port, ISN + 1 + (int) at, iss + 1));
            payloads.add(Arrays.copyOfRange(bytes, (int) at, (int) at + n));
            at += n;
        }
        if (!segments.isEmpty()) {
            guestBurst(HOST_VIRTUAL_IP, segments, payloads);
        }
        return at - sent;
    }

    /** Reads the NAT's ACKs (waiting briefly for the first) and returns the furthest right edge offered. */
    private long drainAcks(long edge, int shift) throws InterruptedException {
        Sent first = context.sent.poll(200, TimeUnit.MILLISECONDS);
        for (Sent s = first; s != null; s = context.sent.poll()) {
            assertTrue(!s.tcp().has(RST), "RST");
            long acked = Integer.toUnsignedLong(s.tcp().ack() - (ISN + 1));
            edge = Math.max(edge, acked + ((long) s.tcp().window() << shift));
        }
        return edge;
    }

    /** One simulated guest connection of {@link #thousandConnections_echoByteExact_noLeaks}. */
    private static final class GuestConnection {
        final int port;
        final byte[] out;
        final ByteArrayOutputStream in = new ByteArrayOutputStream();
        int rcvNxt;
        int iss;
        boolean synAcked;
        boolean finReceived;
        long synAt;

        GuestConnection(int port, byte[] out) {
            this.port = port;
            this.out = out;
        }
    }

    @Test
    void thousandConnections_echoByteExact_noLeaks() throws Exception {
        int count = 1000;
        try (ServerSocket echo = new ServerSocket(0, 2048, InetAddress.getLoopbackAddress());
                var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            threads.submit(() -> {
                while (!echo.isClosed()) {
                    Socket socket = echo.accept();
                    threads.submit(() -> {
                        try (socket) {
                            byte[] all = socket.getInputStream().readAllBytes();
                            socket.getOutputStream().write(all);
                        }
                        return null;
                    });
                }
                return null;
            });
            int port = echo.getLocalPort();
            java.util.Random random = new java.util.Random(11);
            Map<Integer, GuestConnection> guests = new java.util.HashMap<>();
            for (int i = 0; i < count; i++) {
                byte[] out = new byte[500 + random.nextInt(6000)];
                random.nextBytes(out);
                guests.put(10_000 + i, new GuestConnection(10_000 + i, out));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int done = 0;
            while (done < count) {
                assertTrue(System.nanoTime() < deadline, "only " + done + " connections completed");
                List<TcpRepr> burst = new ArrayList<>();
                List<byte[]> payloads = new ArrayList<>();
                // SYNs for connections not yet answered: first ones, and retransmissions of held ones.
                long now = System.nanoTime();
                for (GuestConnection g : guests.values()) {
                    if (!g.synAcked && now - g.synAt > TimeUnit.MILLISECONDS.toNanos(300)) {
                        g.synAt = now;
                        burst.add(syn(port).withPorts(g.port, port));
                        payloads.add(new byte[0]);
                    }
                }
                Sent s = context.sent.poll(20, TimeUnit.MILLISECONDS);
                for (; s != null; s = context.sent.poll()) {
                    TcpRepr tcp = s.tcp();
                    GuestConnection g = guests.get(tcp.destinationPort());
                    assertNotNull(g);
                    assertTrue(!tcp.has(RST), "RST on " + g.port);
                    if (tcp.has(SYN)) {
                        if (g.synAcked) {
                            continue;
                        }
                        g.synAcked = true;
                        g.iss = tcp.seq();
                        g.rcvNxt = tcp.seq() + 1;
                        // The handshake's ACK, all the data and the FIN, in one go.
                        int seq = ISN + 1;
                        burst.add(ack(port, seq, g.rcvNxt).withPorts(g.port, port));
                        payloads.add(new byte[0]);
                        for (int at = 0; at < g.out.length; at += 1400) {
                            int n = Math.min(1400, g.out.length - at);
                            burst.add(ack(port, seq + at, g.rcvNxt).withPorts(g.port, port));
                            payloads.add(Arrays.copyOfRange(g.out, at, at + n));
                        }
                        burst.add(ack(port, seq + g.out.length, g.rcvNxt).withPorts(g.port, port)
                                .withFlags(ACK | FIN));
                        payloads.add(new byte[0]);
                        continue;
                    }
                    boolean news = false;
                    if (s.payload().length > 0 && tcp.seq() == g.rcvNxt) {
                        g.in.writeBytes(s.payload());
                        g.rcvNxt += s.payload().length;
                        news = true;
                    }
                    if (tcp.has(FIN) && tcp.seq() + s.payload().length == g.rcvNxt
                            && !g.finReceived) {
                        g.rcvNxt++;
                        g.finReceived = true;
                        done++;
                        assertArrayEquals(g.out, g.in.toByteArray(), "echo on " + g.port);
                        news = true;
                    }
                    if (news) {
                        burst.add(ack(port, ISN + 2 + g.out.length, g.rcvNxt).withPorts(g.port, port));
                        payloads.add(new byte[0]);
                    }
                }
                if (!burst.isEmpty()) {
                    guestBurst(HOST_VIRTUAL_IP, burst, payloads);
                }
            }
            waitFor(() -> nat.connectionCount() == 0);
            assertEquals(0L, onLoop(nat::bufferedTowardGuests));
            Map<String, Object> stats = onLoop(nat::snapshot);
            assertEquals((long) count, stats.get("PassiveConnectionOpenings"));
            assertEquals(0, stats.get("PendingConnects"));
            echo.close();
        }
    }

    @Test
    void syn_connectsThenSynAck_dataBothWays_finBothWays() throws Exception {
        int port = server.getLocalPort();
        guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
        try (Socket accepted = server.accept()) {
            Sent synAck = next();
            assertEquals(SYN | ACK, synAck.tcp().flags());
            assertEquals(ISN + 1, synAck.tcp().ack());
            assertEquals(1460, synAck.tcp().mss());
            assertEquals(SETTINGS.windowScale(), synAck.tcp().windowScale());
            assertTrue(synAck.tcp().timestamps());
            assertEquals(100, synAck.tcp().tsEcr());
            int iss = synAck.tcp().seq();
            assertEquals(1, onLoop(nat::connectionCount));

            // Guest to host.
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1), "ping".getBytes());
            assertArrayEquals("ping".getBytes(), readFully(accepted.getInputStream(), 4));
            Sent ackOfPing = next();
            assertEquals(ISN + 5, ackOfPing.tcp().ack());
            assertEquals(0, ackOfPing.payload().length);
            assertEquals(Map.of("ESTABLISHED", 1L), onLoop(nat::connectionsByState));
            assertEquals(1L, onLoop(nat::snapshot).get("CurrentEstablished"));

            // Host to guest.
            OutputStream out = accepted.getOutputStream();
            out.write("pong".getBytes());
            out.flush();
            Sent pong = next();
            assertArrayEquals("pong".getBytes(), pong.payload());
            assertEquals(iss + 1, pong.tcp().seq());
            assertEquals(ISN + 5, pong.tcp().ack());
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 5, iss + 5), new byte[0]);

            // Host closes its side: FIN to the guest; the guest can still send.
            accepted.shutdownOutput();
            Sent fin = next();
            assertEquals(ACK | FIN, fin.tcp().flags() & ~TcpHeader.PSH);
            assertEquals(iss + 5, fin.tcp().seq());
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 5, iss + 6), "late".getBytes());
            assertArrayEquals("late".getBytes(), readFully(accepted.getInputStream(), 4));
            assertEquals(ISN + 9, next().tcp().ack());

            // Guest closes: the host sees EOF; TIME-WAIT ends and the connection is gone.
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 9, iss + 6).withFlags(ACK | FIN), new byte[0]);
            assertEquals(-1, accepted.getInputStream().read());
            Sent lastAck = next();
            assertEquals(ISN + 10, lastAck.tcp().ack());
            waitFor(() -> nat.connectionCount() == 0);
        }
        assertEquals(Map.of(), onLoop(nat::connectionsByState));
        Map<String, Object> stats = onLoop(nat::snapshot);
        assertEquals(0L, stats.get("CurrentEstablished"));
        assertEquals(1L, stats.get("PassiveConnectionOpenings"));
        assertEquals(8L, stats.get("BytesReceived"));
        assertEquals(4L, stats.get("BytesSent"));
    }

    @Test
    void guestFin_behindDataTheHostHasNotReadYet_hostGetsEveryByteThenEof() throws Exception {
        uploadToAStalledHostReader(false);
    }

    /**
     * Once the host half-closed, Netty 4.2.18's epoll empties the socket's interest set and deletes the fd from
     * epoll while still thinking it is registered; without HostLink's workaround the next EPOLLOUT (host socket
     * buffer full) fails with epoll_ctl ENOENT and Netty shuts the output down, dropping the queued guest data: the
     * host sees a clean EOF after a prefix. The connection then ends (TIME-WAIT) while data still waits, and the
     * host socket's close must let it go first.
     */
    @Test
    void guestFin_afterTheHostClosedFirst_connectionEndsWhileDataIsQueued_hostGetsEveryByteThenEof()
            throws Exception {
        uploadToAStalledHostReader(true);
    }

    /**
     * The guest sends data and its FIN while the host socket reads nothing, so the data waits in the host
     * channel's queue when the FIN is acknowledged (and, if the host closed first, when the connection ends).
     * The host must still read every byte, then EOF.
     */
    private void uploadToAStalledHostReader(boolean hostClosesFirst) throws Exception {
        TcpSettings settings = SETTINGS.withLimits(16384, 128, 5_000, 16 << 20);
        replaceNat(settings);
        try (ServerSocket stalled = new ServerSocket()) {
            stalled.setReceiveBufferSize(8192);
            stalled.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = stalled.getLocalPort();
            int shift = settings.windowScale();
            guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
            try (Socket accepted = stalled.accept()) {
                accepted.setSoTimeout(10_000);
                Sent synAck = next();
                int iss = synAck.tcp().seq();
                long edge = synAck.tcp().window(); // unscaled in a SYN
                guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1), new byte[0]);
                int ourFin = 0;
                if (hostClosesFirst) {
                    accepted.shutdownOutput();
                    Sent fin = next();
                    assertEquals(FIN, fin.tcp().flags() & FIN);
                    ourFin = 1;
                    guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 2), new byte[0]);
                }
                byte[] bytes = new byte[12 << 20];
                new java.util.Random(11).nextBytes(bytes);
                edge = drainAcks(edge, shift);
                long sent = 0;
                for (int round = 0; sent < bytes.length; round++) {
                    assertTrue(round < 1000, "the window stayed closed at " + sent);
                    sent += sendWindow(port, iss + ourFin, bytes, sent, edge);
                    edge = drainAcks(edge, shift);
                }
                long queued = onLoop(nat::bufferedTowardHosts);
                assertTrue(queued > 0, "nothing waits in the host channel's queue: the test proves nothing");
                guest(HOST_VIRTUAL_IP, ack(port, ISN + 1 + bytes.length, iss + 1 + ourFin).withFlags(ACK | FIN),
                        new byte[0]);
                drainAcks(0, 0);
                if (hostClosesFirst) {
                    waitFor(() -> nat.connectionCount() == 0); // TIME-WAIT is over: the connection is gone
                }
                InputStream in = accepted.getInputStream();
                assertArrayEquals(bytes, in.readNBytes(bytes.length));
                assertEquals(-1, in.read());
            }
        }
    }

    @Test
    void syn_closedPort_rst() throws Exception {
        int port;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = closed.getLocalPort();
        }
        guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
        Sent rst = next();
        assertEquals(RST | ACK, rst.tcp().flags());
        assertEquals(ISN + 1, rst.tcp().ack());
        waitFor(() -> nat.connectionCount() == 0);
        @SuppressWarnings("unchecked")
        Map<String, Long> failed = (Map<String, Long>) onLoop(nat::snapshot).get("FailedConnectionAttempts");
        assertEquals(1L, failed.get("connect-refused"));
    }

    @Test
    void syn_refusedDestination_rstWithoutConnecting() throws Exception {
        guest(BLOCKED_IP, syn(80), new byte[0]);
        Sent rst = next();
        assertEquals(RST | ACK, rst.tcp().flags());
        assertEquals(0, onLoop(nat::connectionCount));
    }

    @Test
    void segmentForNoConnection_rstAtItsAck() throws Exception {
        guest(HOST_VIRTUAL_IP, ack(80, 5, 12345), "x".getBytes());
        Sent rst = next();
        assertEquals(RST, rst.tcp().flags());
        assertEquals(12345, rst.tcp().seq());
    }

    @Test
    void hostReset_rstToGuest_guestRst_closesHost() throws Exception {
        int port = server.getLocalPort();
        guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
        try (Socket accepted = server.accept()) {
            int iss = next().tcp().seq();
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1), new byte[0]);
            accepted.setSoLinger(true, 0);
            accepted.close();
            Sent rst = next();
            assertTrue(rst.tcp().has(RST));
            waitFor(() -> nat.connectionCount() == 0);
        }
        // Second connection: the guest resets it; the host sees the connection end.
        guest(HOST_VIRTUAL_IP, syn(port).withPorts(GUEST_PORT + 1, port), new byte[0]);
        try (Socket accepted = server.accept()) {
            int iss = next().tcp().seq();
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1).withPorts(GUEST_PORT + 1, port), new byte[0]);
            guest(HOST_VIRTUAL_IP, TcpRepr.of(GUEST_PORT + 1, port, ISN + 1, 0, RST, 0), new byte[0]);
            accepted.setSoTimeout(5000);
            try {
                assertEquals(-1, accepted.getInputStream().read());
            } catch (java.net.SocketException reset) {
                // a reset is what SO_LINGER 0 sends; either way the host saw the end
            }
            waitFor(() -> nat.connectionCount() == 0);
        }
    }

    @Test
    void bulkHostData_isSegmentedAndFlowControlled() throws Exception {
        int port = server.getLocalPort();
        guest(HOST_VIRTUAL_IP, syn(port), new byte[0]);
        try (Socket accepted = server.accept()) {
            int iss = next().tcp().seq();
            // A 2048-byte window scaled by 7: 256 KiB.
            guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1), new byte[0]);
            byte[] bytes = new byte[100_000];
            Arrays.fill(bytes, (byte) 'z');
            accepted.getOutputStream().write(bytes);
            accepted.getOutputStream().flush();
            int received = 0;
            while (received < bytes.length) {
                Sent seg = next();
                assertTrue(seg.payload().length <= 1460 - 12, "segment of " + seg.payload().length);
                assertEquals(iss + 1 + received, seg.tcp().seq());
                received += seg.payload().length;
                guest(HOST_VIRTUAL_IP, ack(port, ISN + 1, iss + 1 + received), new byte[0]);
            }
            assertEquals(bytes.length, received);
        }
    }
}
