package io.tapvsock.stack.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.Future;
import io.tapvsock.stack.core.IdleFlowTable;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.icmp.IcmpErrors;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.UdpComposer;
import io.tapvsock.stack.wire.UdpHeader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Guest UDP NATed onto host datagram sockets (RFC 768; RFC 4787 for NAT behaviour: one mapping per guest
 * (source, destination) pair, replies accepted only from that destination, which the connected socket enforces;
 * RFC 1122 §3.2.2.1 and §4.1.3.3: a port unreachable the host receives reaches the guest as ICMP).
 * Each flow is one connected datagram channel on the network loop; replies reach the guest from the address it
 * wrote to, whatever the NAT map turned it into. Flows expire after an idle timeout; their number is capped and
 * the least recently used flow makes room for a new one ({@link IdleFlowTable}). Network loop only.
 */
public final class UdpNat {

    public static final long DEFAULT_IDLE_SECONDS = 90;
    public static final int DEFAULT_MAX_FLOWS = 4096;

    private static final System.Logger LOG = System.getLogger(UdpNat.class.getName());
    private static final long LIMIT_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int IP_UDP_HEADERS = Ipv4Header.MIN_LENGTH + UdpHeader.LENGTH;

    private final StackContext context;
    private final IcmpErrors icmpErrors;
    private final IdleFlowTable<UdpFlowKey, UdpFlow> flows;
    /** Flows written since the last {@link #flushHost()}. */
    private final List<UdpFlow> unflushed = new ArrayList<>();
    private final UdpComposer composer = new UdpComposer();
    private long lastLimitLog;
    private boolean limitLogged;

    private long packetsFromGuest;
    private long packetsToGuest;
    private long hostErrors;
    private long portUnreachable;

    /** @param icmpErrors where the host's port-unreachable reports go to the guest */
    public UdpNat(StackContext context, IcmpErrors icmpErrors, long idleSeconds, int maxFlows) {
        this.context = context;
        this.icmpErrors = icmpErrors;
        this.flows = new IdleFlowTable<>(context, "UDP", UdpFlow::close, idleSeconds, maxFlows);
    }

    /** New limits; flows over the new cap are evicted now, least recently used first. */
    public void configure(long idleSeconds, int maxFlows) {
        flows.configure(idleSeconds, maxFlows);
    }

    /**
     * One datagram from a guest, to be sent from a host socket.
     *
     * @param payload borrowed: not retained after return
     * @param ipHeaderOffset where the datagram's IPv4 header starts in {@code payload}'s buffer (the IP and UDP
     *     headers are {@code [ipHeaderOffset, payload.readerIndex())})
     */
    public void receive(int source, int sourcePort, int destination, int destinationPort, ByteBuf payload,
            int ipHeaderOffset) {
        UdpFlowKey key = new UdpFlowKey(source, sourcePort, destination, destinationPort);
        UdpFlow flow = flows.use(key);
        if (flow == null) {
            flow = open(key);
            if (flow == null) {
                return;
            }
        }
        flow.packetsFromGuest++;
        packetsFromGuest++;
        flow.keepHeaders(payload, ipHeaderOffset, payload.readerIndex());
        ByteBuf datagram = payload.retainedSlice();
        if (!flow.connected) {
            if (!flow.queue(datagram)) {
                context.drop("udp-pending-overflow");
            }
            return;
        }
        flow.channel.write(datagram, flow.channel.voidPromise());
        if (!flow.unflushed) {
            flow.unflushed = true;
            unflushed.add(flow);
        }
    }

    private UdpFlow open(UdpFlowKey key) {
        if (key.destinationPort() == 0 || key.sourcePort() == 0) {
            context.drop("udp-port-zero"); // RFC 768: port 0 is reserved
            return null;
        }
        InetAddress host = context.hostAddressFor(key.destination());
        if (host == null) {
            context.drop("udp-destination-refused");
            return null;
        }
        if (flows.makeRoom()) {
            logLimit();
        }
        UdpFlow flow = new UdpFlow(key, new InetSocketAddress(host, key.destinationPort()));
        flows.add(key, flow);
        int largest = Math.max(context.settings().mtu() - IP_UDP_HEADERS, 0);
        // One byte more than the guest can take, so that a datagram too large for the MTU is recognised.
        Bootstrap bootstrap = new Bootstrap()
                .group(context.loop())
                .channel(context.hostChannels().datagramChannel())
                .option(ChannelOption.ALLOCATOR, context.alloc())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(largest + 1))
                .handler(new UdpFlowHandler(this, flow));
        ChannelFuture connect = bootstrap.connect(flow.hostAddress);
        flow.channel = connect.channel();
        connect.addListener(done -> connected(flow, done));
        return flow;
    }

    private void connected(UdpFlow flow, Future<?> done) {
        if (flow.closed) {
            return;
        }
        if (!done.isSuccess()) {
            hostErrors++;
            context.drop("udp-host-connect-failed");
            LOG.log(System.Logger.Level.DEBUG, () -> "UDP flow " + flow.key + " to " + flow.hostAddress + ": "
                    + done.cause());
            remove(flow);
            return;
        }
        flow.connected = true;
        flow.drainPending();
    }

    /**
     * One datagram read from a flow's host socket, back to the guest from the flow's original destination.
     *
     * @param content borrowed: not retained after return
     */
    void fromHost(UdpFlow flow, ByteBuf content) {
        if (flow.closed) {
            return;
        }
        int length = content.readableBytes();
        if (IP_UDP_HEADERS + length > context.settings().mtu()) {
            context.drop("udp-reply-exceeds-mtu"); // no fragmentation toward the guest
            return;
        }
        flows.use(flow.key);
        flow.packetsToGuest++;
        packetsToGuest++;
        UdpFlowKey key = flow.key;
        ByteBuf l4 = composer.compose(context.alloc(), key.destination(), key.destinationPort(), key.source(),
                key.sourcePort(), content.retain());
        context.sendIpv4(key.destination(), key.source(), Ipv4Header.PROTOCOL_UDP, l4);
    }

    /** The host socket's read burst ended: flush what it produced toward the guests. */
    void hostBurstEnded() {
        context.flush();
    }

    void hostChannelClosed(UdpFlow flow) {
        if (!flow.closed) {
            remove(flow);
        }
    }

    void hostError(UdpFlow flow, Throwable cause) {
        if (flow.closed) {
            return;
        }
        if (isPortUnreachable(cause)) {
            portUnreachable(flow);
            return;
        }
        hostErrors++;
        LOG.log(System.Logger.Level.DEBUG, () -> "UDP flow " + flow.key + " to " + flow.hostAddress + ": " + cause);
    }

    /** ECONNREFUSED on a connected datagram socket: the host got ICMP port unreachable for it (udp(7)). */
    private static boolean isPortUnreachable(Throwable cause) {
        return cause instanceof PortUnreachableException
                || cause instanceof Errors.NativeIoException e && e.expectedErr() == Errors.ERROR_ECONNREFUSED_NEGATIVE;
    }

    /** Tells the guest, from the address it wrote to, quoting its datagram; the flow ends. */
    private void portUnreachable(UdpFlow flow) {
        portUnreachable++;
        UdpFlowKey key = flow.key;
        LOG.log(System.Logger.Level.DEBUG, () -> "UDP flow " + key + " to " + flow.hostAddress + ": port unreachable");
        if (flow.quoteLength > 0) {
            icmpErrors.destinationUnreachable(IcmpErrors.CODE_PORT_UNREACHABLE, key.destination(), key.source(),
                    flow.quote, flow.quoteLength);
            context.flush();
        }
        remove(flow);
    }

    /** Writes what the guest's burst queued on each host socket. */
    public void flushHost() {
        for (int i = 0; i < unflushed.size(); i++) {
            UdpFlow flow = unflushed.get(i);
            flow.unflushed = false;
            if (!flow.closed) {
                flow.channel.flush();
            }
        }
        unflushed.clear();
    }

    /** Closes every flow idle for the timeout or longer. */
    public void expireIdle() {
        flows.expireIdle();
    }

    private void remove(UdpFlow flow) {
        flows.remove(flow.key, flow);
    }

    private void logLimit() {
        long now = context.nanoTime();
        if (!limitLogged || now - lastLimitLog >= LIMIT_LOG_INTERVAL_NANOS) {
            limitLogged = true;
            lastLimitLog = now;
            LOG.log(System.Logger.Level.WARNING, "UDP flow limit reached (" + flows.maxFlows()
                    + " flows, udpMaxFlows): the least recently used flows are closed to make room");
        }
    }

    public int flowCount() {
        return flows.size();
    }

    /** One line per flow, least recently used first. */
    public List<String> describeFlows() {
        long now = context.nanoTime();
        List<String> lines = new ArrayList<>();
        for (UdpFlow flow : flows.flows()) {
            lines.add(flow.key + " via " + flow.hostAddress.getAddress().getHostAddress() + ":"
                    + flow.hostAddress.getPort() + " idle " + TimeUnit.NANOSECONDS.toSeconds(now - flow.lastUsed())
                    + " s, " + flow.packetsFromGuest + " out, " + flow.packetsToGuest + " in");
        }
        return lines;
    }

    /** NAT counters merged into /stats "UDP". */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("PacketsSentToHost", packetsFromGuest);
        snapshot.put("PacketsSent", packetsToGuest);
        snapshot.put("Flows", (long) flows.size());
        snapshot.put("FlowsOpened", flows.opened());
        snapshot.put("FlowsExpired", flows.expired());
        snapshot.put("FlowsEvicted", flows.evicted());
        snapshot.put("HostErrors", hostErrors);
        snapshot.put("PortUnreachable", portUnreachable);
        return snapshot;
    }

    /** Closes every flow and cancels the sweep. */
    public void close() {
        flows.close();
        unflushed.clear();
    }
}
