package io.tapvsock.stack.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.TcpHeader;
import io.tapvsock.stack.wire.TcpRepr;
import io.tapvsock.stack.wire.WireException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Guest TCP connections NATed onto host sockets. Read RFC 9293 §3.10.7.1 (segments for no connection) and
 * §3.10.7.2 (LISTEN), and {@link TcpConnection}'s list, before editing.
 *
 * <p>A guest SYN makes a non-blocking host connect on the network loop; the guest gets its SYN-ACK once the
 * connect succeeded, a RST when it failed or timed out. Connects run side by side and nothing waits behind one: a
 * blackholed destination holds only its own connects. At most {@link TcpSettings#maxPendingConnects()} run toward
 * one destination (address and port); a SYN beyond that is dropped and counted ("pending-connect-limit"), not
 * refused: the guest's own SYN retransmission tries again once a slot may be free, as when a kernel's SYN queue
 * overflows, and its connect() does not fail for a transient limit. Beyond {@link TcpSettings#maxConnections()}
 * a SYN gets a RST. Guest data goes to the host socket as retained slices of the guest's
 * frames, written during the guest's burst and flushed at its end, when the held-back ACKs go out too. Host data
 * is read only while the guest's window has room and goes out in MSS-sized segments (a header buffer composed with
 * a payload slice), or in super-segments of up to 64 KiB when the guest's link segments TCP itself. Timers are deadlines kept by the connections, queued here by deadline; this class keeps one
 * wakeup on the loop for the earliest.
 *
 * <p>Two kinds of connection have no host socket: a guest's SYN to a gateway TCP service, answered at once and
 * served by a {@link GuestChannel}, and connections we open into a guest ({@link #connect}), which are
 * GuestChannels too. Network loop only.
 */
public final class TcpNat {

    private static final System.Logger LOG = System.getLogger(TcpNat.class.getName());
    private static final long NEVER = TcpConnection.NEVER;
    /** Where ports for connections into guests come from when the caller leaves the choice to us (Linux's range). */
    private static final int EPHEMERAL_FIRST = 32768;
    private static final int EPHEMERAL_COUNT = 61000 - EPHEMERAL_FIRST;

    private final StackContext context;
    /** Settings for new connections; a connection keeps the ones it was opened with. */
    private TcpSettings settings;
    private final TcpStats stats = new TcpStats();
    private final FlowTable<Link> flows = new FlowTable<>();
    /** Host connects in flight per destination: key (destination address, destination port), value a counter. */
    private final FlowTable<int[]> pendingByDestination = new FlowTable<>();
    private final ArrayList<Link> touched = new ArrayList<>();
    /** Every connection with a deadline, earliest first. */
    private final DeadlineQueue<Link> deadlines = new DeadlineQueue<>();
    private final ArrayList<Link> due = new ArrayList<>();
    /** Connections whose host socket gave data or EOF in this pass of the loop: dispatched once it ends. */
    private final ArrayList<Link> hostReady = new ArrayList<>();
    private final Runnable endOfHostPass = this::endOfHostPass;
    private boolean hostPassScheduled;
    private final TcpHeader inbound = new TcpHeader();
    private final TcpHeader outbound = new TcpHeader();
    private final SegmentSink sink = this::emit;
    private Bootstrap bootstrap;
    private int pendingConnects;
    private ScheduledFuture<?> wakeup;
    private long wakeupAt = NEVER;
    private boolean emitted;
    private boolean closed;

    public TcpNat(StackContext context) {
        this(context, TcpSettings.defaults());
    }

    public TcpNat(StackContext context, TcpSettings settings) {
        this.context = context;
        configure(settings);
    }

    /** New limits and buffer sizes: they apply to connections opened from now on. */
    public void configure(TcpSettings settings) {
        this.settings = settings;
        // Unflushed and unwritten bytes toward the host count against the guest's window; becoming writable again
        // after a full buffer is the moment to reopen it.
        WriteBufferWaterMark waterMark = new WriteBufferWaterMark(settings.receiveBuffer() / 4,
                settings.receiveBuffer() * 3 / 4);
        this.bootstrap = new Bootstrap()
                .group(context.loop())
                .channel(context.hostChannels().socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                // The kernel's keepalive finds a host peer that vanished while the connection sat idle.
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, settings.connectTimeoutMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark);
    }

    /**
     * One TCP segment from a guest; the IPv4 layer has already verified the IPv4 header and the TCP checksum.
     *
     * @param segment borrowed: not retained after return. The TCP header and payload exactly: readerIndex at the
     *     TCP header, readableBytes the TCP length.
     */
    public void receive(int source, int destination, ByteBuf segment) {
        if (closed) {
            return;
        }
        stats.segmentsReceived++;
        String bad = inbound.wrapChecked(segment, segment.readerIndex(), segment.readableBytes());
        if (bad != null) {
            drop(bad);
            return;
        }
        TcpRepr seg;
        try {
            seg = TcpRepr.parse(inbound);
        } catch (WireException e) {
            drop(e.reason());
            return;
        }
        int payloadLength = inbound.payloadLength();
        long addressKey = FlowTable.addresses(source, destination);
        int portKey = FlowTable.ports(seg.sourcePort(), seg.destinationPort());
        Link link = flows.get(addressKey, portKey);
        if (link != null && link.connection.state() == TcpState.TIME_WAIT && seg.has(TcpHeader.SYN)
                && !seg.has(TcpHeader.ACK)) {
            remove(link); // RFC 1122 §4.2.2.13: a new SYN may reopen a 4-tuple in TIME-WAIT
            link = null;
        }
        if (link == null) {
            noConnection(source, destination, seg, payloadLength, addressKey, portKey);
            return;
        }
        stats.bytesReceived += payloadLength;
        ByteBuf payload = payloadLength > 0 ? segment.slice(inbound.payloadOffset(), payloadLength) : null;
        long now = context.nanoTime();
        TcpConnection connection = link.connection;
        TcpRepr reply = connection.process(seg, payload, now);
        if (reply != null) {
            emit(destination, source, reply, null, 0);
        }
        if (link.failed || connection.urgent() || connection.isClosed()) {
            dispatch(link, now);
        }
        if (!link.touched && !connection.isClosed()) {
            link.touched = true;
            touched.add(link);
        }
    }

    /** The guest's burst ended: flush host sockets written during it, and send the ACKs held back. */
    public void endOfBurst() {
        if (touched.isEmpty()) {
            return;
        }
        long now = context.nanoTime();
        for (int i = 0; i < touched.size(); i++) {
            Link link = touched.get(i);
            link.touched = false;
            link.flush();
            dispatch(link, now);
        }
        touched.clear();
        flushGuest();
    }

    /** Counters for /stats under "TCP". */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = stats.snapshot(flows.size(), pendingConnects);
        Map<String, Long> byState = connectionsByState();
        // gVisor's name: connections in ESTABLISHED or CLOSE-WAIT.
        snapshot.put("CurrentEstablished", byState.getOrDefault(TcpState.ESTABLISHED.toString(), 0L)
                + byState.getOrDefault(TcpState.CLOSE_WAIT.toString(), 0L));
        return snapshot;
    }

    /** Connections by state (RFC names), in state order; states without connections are left out. */
    public Map<String, Long> connectionsByState() {
        long[] counts = new long[TcpState.values().length];
        for (Link link : flows.values()) {
            counts[link.connection.state().ordinal()]++;
        }
        Map<String, Long> byState = new LinkedHashMap<>();
        for (TcpState state : TcpState.values()) {
            if (counts[state.ordinal()] > 0) {
                byState.put(state.toString(), counts[state.ordinal()]);
            }
        }
        return byState;
    }

    /** Bytes from guests written toward host sockets and not taken by them yet, over all connections. */
    long bufferedTowardHosts() {
        long total = 0;
        for (Link link : flows.values()) {
            total += link.bufferedBytes();
        }
        return total;
    }

    /** Bytes read from host sockets and not yet acknowledged by guests, over all connections. */
    long bufferedTowardGuests() {
        long total = 0;
        for (Link link : flows.values()) {
            total += link.connection.snd.buffer.bytes();
        }
        return total;
    }

    /** Connections in any state. */
    public int connectionCount() {
        return flows.size();
    }

    /** Closes every host socket and frees every connection. */
    public void close() {
        closed = true;
        if (wakeup != null) {
            wakeup.cancel(false);
            wakeup = null;
        }
        for (Link link : flows.values()) {
            link.close();
            link.connection.release();
            flows.remove(link.addressKey, link.portKey, link);
        }
        touched.clear();
        due.clear();
        hostReady.clear();
    }

    // ---------------------------------------------------------------- opening

    /** RFC 9293 §3.10.7.1: a segment for no connection; a SYN opens one. */
    private void noConnection(int source, int destination, TcpRepr seg, int payloadLength, long addressKey,
            int portKey) {
        if (seg.has(TcpHeader.RST)) {
            stats.dropped("no-connection-rst");
            return;
        }
        if (seg.has(TcpHeader.SYN) && !seg.has(TcpHeader.ACK)) {
            open(source, destination, seg, addressKey, portKey);
            return;
        }
        stats.dropped("no-connection");
        if (seg.has(TcpHeader.ACK)) {
            sendReset(destination, source, TcpRepr.of(seg.destinationPort(), seg.sourcePort(), seg.ack(), 0,
                    TcpHeader.RST, 0));
        } else {
            sendReset(destination, source, TcpRepr.of(seg.destinationPort(), seg.sourcePort(), 0,
                    seg.seq() + seg.sequenceLength(payloadLength), TcpHeader.RST | TcpHeader.ACK, 0));
        }
    }

    private void open(int source, int destination, TcpRepr syn, long addressKey, int portKey) {
        if (flows.size() >= settings.maxConnections()) {
            refuse(source, destination, syn, "connection-limit");
            return;
        }
        int[] pendingHere = pendingByDestination.get(destination & 0xFFFF_FFFFL, syn.destinationPort());
        if (pendingHere != null && pendingHere[0] >= settings.maxPendingConnects()) {
            // Held, not refused: no state kept; the guest's SYN retransmission comes back.
            stats.refused("pending-connect-limit");
            return;
        }
        GatewayTcpService service = context.gatewayTcpService(destination, syn.destinationPort());
        if (service != null) {
            openService(service, source, destination, syn, addressKey, portKey);
            return;
        }
        InetAddress hostAddress = context.hostAddressFor(destination);
        if (hostAddress == null) {
            refuse(source, destination, syn, "destination-refused");
            return;
        }
        HostLink link = new HostLink(this, addressKey, portKey);
        TcpConnection connection = new TcpConnection(settings, link, stats, destination, syn.destinationPort(),
                source, syn.sourcePort(), ThreadLocalRandom.current().nextInt(), context.settings().mtu());
        link.connection = connection;
        connection.listen(syn, context.nanoTime());
        flows.put(addressKey, portKey, link);
        pendingConnects++;
        if (pendingHere == null) {
            pendingHere = new int[1];
            pendingByDestination.put(destination & 0xFFFF_FFFFL, syn.destinationPort(), pendingHere);
        }
        pendingHere[0]++;
        link.connecting = true;
        ChannelFuture connect = bootstrap.clone().handler(link.handler)
                .connect(new InetSocketAddress(hostAddress, syn.destinationPort()));
        link.channel = connect.channel();
        connect.addListener(future -> connected(link, future.isSuccess(), future.cause()));
    }

    /** A guest's SYN to a gateway TCP service: accepted at once, served by a channel, no host connect. */
    private void openService(GatewayTcpService service, int source, int destination, TcpRepr syn, long addressKey,
            int portKey) {
        GuestChannel channel = new GuestChannel(new InetSocketAddress(ipv4(destination), syn.destinationPort()),
                new InetSocketAddress(ipv4(source), syn.sourcePort()));
        GuestChannelLink link = new GuestChannelLink(this, addressKey, portKey, channel, null);
        TcpConnection connection = new TcpConnection(settings, link, stats, destination, syn.destinationPort(),
                source, syn.sourcePort(), ThreadLocalRandom.current().nextInt(), context.settings().mtu());
        link.connection = connection;
        channel.attach(link, channel.localAddress());
        context.loop().register(channel); // on the loop: registered before this returns
        long now = context.nanoTime();
        connection.listen(syn, now);
        flows.put(addressKey, portKey, link);
        try {
            service.accept(channel);
            stats.passiveOpenings++;
            connection.accept();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "gateway TCP service on port " + syn.destinationPort() + " failed", e);
            stats.refused("gateway-service-failed");
            connection.refuse();
        }
        dispatch(link, now);
    }

    /**
     * Opens a connection into a guest: the SYN goes out now, and {@code promise} completes when the guest answers
     * (or fails when it refuses, does not answer within the SYN retransmissions, or a limit says no).
     *
     * @param channel not registered yet; registered on the loop here
     * @param sourcePort 0 picks a free ephemeral port
     */
    public void connect(GuestChannel channel, ChannelPromise promise, int source, int sourcePort, int destination,
            int destinationPort) {
        context.loop().register(channel);
        if (closed) {
            refuseConnect(channel, promise, "connect-network-closed", new ClosedChannelException());
            return;
        }
        if (flows.size() >= settings.maxConnections()) {
            refuseConnect(channel, promise, "connection-limit",
                    new ConnectException("connection limit reached (" + settings.maxConnections() + ")"));
            return;
        }
        if (!context.settings().subnet().contains(new Ipv4Address(destination))) {
            refuseConnect(channel, promise, "connect-outside-subnet", new ConnectException(new Ipv4Address(destination)
                    + " is not in the virtual network " + context.settings().subnet()));
            return;
        }
        int port = sourcePort == 0 ? freePort(source, destination, destinationPort) : sourcePort;
        long addressKey = FlowTable.addresses(destination, source);
        int portKey = FlowTable.ports(destinationPort, port);
        if (port < 0 || flows.get(addressKey, portKey) != null) {
            refuseConnect(channel, promise, "connect-address-in-use", new BindException("address in use: "
                    + new Ipv4Address(source) + ":" + sourcePort + " toward " + new Ipv4Address(destination) + ":"
                    + destinationPort));
            return;
        }
        GuestChannelLink link = new GuestChannelLink(this, addressKey, portKey, channel, promise);
        TcpConnection connection = new TcpConnection(settings, link, stats, source, port, destination,
                destinationPort, ThreadLocalRandom.current().nextInt(), context.settings().mtu());
        link.connection = connection;
        channel.attach(link, new InetSocketAddress(ipv4(source), port));
        connection.connect();
        flows.put(addressKey, portKey, link);
        stats.activeOpenings++;
        dispatch(link, context.nanoTime());
        flushGuest();
    }

    private void refuseConnect(GuestChannel channel, ChannelPromise promise, String reason, Exception cause) {
        stats.refused(reason);
        promise.tryFailure(cause);
        channel.close();
    }

    /** A port of ours that no connection between these two addresses uses, or -1. */
    private int freePort(int source, int destination, int destinationPort) {
        long addressKey = FlowTable.addresses(destination, source);
        int start = ThreadLocalRandom.current().nextInt(EPHEMERAL_COUNT);
        for (int i = 0; i < EPHEMERAL_COUNT; i++) {
            int port = EPHEMERAL_FIRST + (start + i) % EPHEMERAL_COUNT;
            if (flows.get(addressKey, FlowTable.ports(destinationPort, port)) == null) {
                return port;
            }
        }
        return -1;
    }

    private static InetAddress ipv4(int address) {
        try {
            return InetAddress.getByAddress(new Ipv4Address(address).toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    private void connected(HostLink link, boolean success, Throwable cause) {
        pendingConnects--;
        link.connecting = false;
        long destinationKey = link.addressKey & 0xFFFF_FFFFL;
        int destinationPort = link.portKey & 0xFFFF;
        int[] pendingHere = pendingByDestination.get(destinationKey, destinationPort);
        if (pendingHere != null && --pendingHere[0] <= 0) {
            pendingByDestination.remove(destinationKey, destinationPort, pendingHere);
        }
        TcpConnection connection = link.connection;
        long now = context.nanoTime();
        if (closed || connection.isClosed()) {
            link.close(); // the guest gave up (RST) while we connected
            remove(link);
            return;
        }
        if (success) {
            stats.passiveOpenings++;
            connection.accept();
        } else {
            String reason = cause instanceof ConnectTimeoutException ? "connect-timeout"
                    : cause instanceof ConnectException ? "connect-refused" : "connect-failed";
            LOG.log(Level.DEBUG, () -> connection + ": host connect failed: " + cause);
            stats.refused(reason);
            connection.refuse();
        }
        dispatch(link, now);
        flushGuest();
    }

    private void refuse(int source, int destination, TcpRepr syn, String reason) {
        stats.refused(reason);
        // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
        sendReset(destination, source, TcpRepr.of(syn.destinationPort(), syn.sourcePort(), 0, syn.seq() + 1,
                TcpHeader.RST | TcpHeader.ACK, 0));
    }

    private void sendReset(int source, int destination, TcpRepr reset) {
        stats.resetsSent++;
        emit(source, destination, reset, null, 0);
    }

    // ---------------------------------------------------------------- host events (from HostLink)

    /** @param data transferred: callee releases */
    void hostRead(Link link, ByteBuf data) {
        link.connection.hostData(data);
        if (!link.connection.wantsHostData()) {
            link.pauseReading(); // Netty's read loop stops here: at most one read beyond the window
        }
    }

    void hostReadComplete(Link link) {
        hostReady(link);
    }

    void hostEof(Link link) {
        link.connection.hostEof();
        hostReady(link);
    }

    /**
     * Host data and EOF are dispatched once the loop has handled every ready socket, not one by one: a host that
     * answers and closes at once (data, then EOF, in one epoll pass) gives the guest one segment with data and
     * FIN, and every guest link one flush per pass.
     */
    private void hostReady(Link link) {
        if (!link.hostReady) {
            link.hostReady = true;
            hostReady.add(link);
        }
        if (!hostPassScheduled) {
            hostPassScheduled = true;
            context.loop().execute(endOfHostPass); // tasks run after the loop's I/O events
        }
    }

    private void endOfHostPass() {
        hostPassScheduled = false;
        long now = context.nanoTime();
        for (int i = 0; i < hostReady.size(); i++) {
            Link link = hostReady.get(i);
            link.hostReady = false;
            if (closed || flows.get(link.addressKey, link.portKey) != link) {
                continue; // removed since (a guest RST)
            }
            dispatch(link, now);
            if (!link.connection.isClosed() && link.connection.wantsHostData()) {
                link.resumeReading();
            }
        }
        hostReady.clear();
        flushGuest();
    }

    /**
     * A GuestChannel was closed by its pipeline: our FIN follows the data written so far, or a RST when it asked
     * for one (SO_LINGER 0) or the handshake had not completed. Guest data from now on resets the connection.
     */
    void channelClosed(GuestChannelLink link, boolean reset) {
        if (reset || !link.connection.state().synchronized_()) {
            link.connection.abort();
        } else {
            link.connection.hostEof();
        }
        hostReady(link);
    }

    /** A GuestChannel shut its output down: our FIN follows the data written so far. */
    void channelOutputShutdown(GuestChannelLink link) {
        link.connection.hostEof();
        hostReady(link);
    }

    void hostDrained(Link link) {
        link.connection.hostDrained();
        dispatch(link, context.nanoTime());
        flushGuest();
    }

    void hostFailed(Link link, Throwable cause) {
        LOG.log(Level.DEBUG, () -> link.connection + ": host socket failed: " + cause);
        link.connection.hostReset();
        dispatch(link, context.nanoTime());
        flushGuest();
    }

    /** The host socket closed without an error we saw: like EOF, and guest data from now on resets. */
    void hostInactive(Link link, boolean eofSeen) {
        if (!eofSeen) {
            link.connection.hostEof();
        }
        dispatch(link, context.nanoTime());
        flushGuest();
    }

    // ---------------------------------------------------------------- transmit and timers

    /** Runs the connection's dispatch, then removes it if it closed, else keeps the wakeup for its next deadline. */
    private void dispatch(Link link, long now) {
        TcpConnection connection = link.connection;
        if (link.failed && !connection.isClosed()) {
            connection.abort(); // guest data had nowhere to go
        }
        connection.segmentOffload(context.segmentsTcpToward(connection.remoteIp));
        connection.dispatch(now, sink);
        if (connection.isClosed()) {
            remove(link);
        } else {
            schedule(link, now);
        }
        link.dispatched();
    }

    /** Queues the connection for its next deadline, and makes sure the wakeup comes by then. */
    private void schedule(Link link, long now) {
        long at = link.connection.pollAt(now);
        if (at == NEVER) {
            deadlines.remove(link.timer);
            return;
        }
        at = Math.max(at, now);
        deadlines.schedule(link.timer, at);
        arm(at, now);
    }

    private void remove(Link link) {
        deadlines.remove(link.timer);
        if (flows.remove(link.addressKey, link.portKey, link)) {
            link.close();
            link.connection.release();
        }
    }

    /** Keeps one wakeup on the loop, for the earliest deadline of any connection. */
    private void arm(long at, long now) {
        if (closed || (wakeup != null && wakeupAt <= at)) {
            return;
        }
        if (wakeup != null) {
            wakeup.cancel(false);
        }
        wakeupAt = at;
        wakeup = context.loop().schedule(this::onWakeup, at - now, TimeUnit.NANOSECONDS);
    }

    private void onWakeup() {
        wakeup = null;
        wakeupAt = NEVER;
        if (closed) {
            return;
        }
        long now = context.nanoTime();
        // Taken out first: a dispatch may queue its connection again at "now", which must wait for the next wakeup.
        for (Link link = deadlines.pollDue(now); link != null; link = deadlines.pollDue(now)) {
            due.add(link);
        }
        for (int i = 0; i < due.size(); i++) {
            Link link = due.get(i);
            if (link.connection.pollAt(now) <= now) {
                dispatch(link, now);
            } else {
                schedule(link, now); // its deadline moved later since it was queued
            }
        }
        due.clear();
        long earliest = deadlines.earliest(NEVER);
        if (earliest != NEVER) {
            arm(earliest, now);
        }
        flushGuest();
    }

    private void flushGuest() {
        if (emitted) {
            emitted = false;
            context.flush();
        }
    }

    /**
     * Builds a segment for the guest: a small header buffer, composed with the payload slice when there is one.
     *
     * @param payload transferred: callee releases; may be null
     * @param segmentSize 0 for a wire segment; else a super-segment for the guest's link to cut and checksum
     */
    private void emit(int source, int destination, TcpRepr segment, ByteBuf payload, int segmentSize) {
        int headerLen = segment.headerLen();
        ByteBuf header = context.alloc().directBuffer(headerLen);
        ByteBuf l4;
        try {
            header.writerIndex(headerLen);
            segment.emit(outbound.wrapUnchecked(header, 0, headerLen), source, destination, payload, segmentSize > 0);
            l4 = payload == null ? header : context.alloc().compositeDirectBuffer(2).addComponents(true, header, payload);
        } catch (RuntimeException e) {
            header.release();
            if (payload != null) {
                payload.release();
            }
            throw e;
        }
        stats.segmentsSent++;
        if (payload != null) {
            stats.bytesSent += payload.readableBytes();
        }
        emitted = true;
        if (segmentSize > 0) {
            context.sendTcpSegmented(source, destination, l4, segmentSize);
        } else {
            context.sendIpv4(source, destination, Ipv4Header.PROTOCOL_TCP, l4);
        }
    }

    private void drop(String reason) {
        stats.dropped(reason);
        context.drop(reason);
    }
}
