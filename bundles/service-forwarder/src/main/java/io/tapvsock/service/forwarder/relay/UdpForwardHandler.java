package io.tapvsock.service.forwarder.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapvsock.api.GuestUdpEndpoint;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import io.tapvsock.service.forwarder.core.SourceAddresses;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Read first: RFC 768 (UDP) and RFC 4787 section 4.3 (a mapping's idle timer).
 *
 * <p>A udp forward's host socket: each host client (address and port) gets a flow, an endpoint inside the network
 * that sends the client's datagrams to the forward's remote and whose replies from that remote go back to the
 * client. The guest sees the client's own address where it can answer it ({@link SourceAddresses}), as with tcp.
 * A flow ends after {@link ForwarderConfig#udpFlowIdleSeconds()} without a datagram either way, and a new client
 * beyond {@link ForwarderConfig#udpMaxFlows()} evicts the least recently active one. Closing the host socket ends
 * every flow. The socket and the endpoints live on the network loop, so no locks.
 */
final class UdpForwardHandler extends ChannelDuplexHandler {

    private static final System.Logger LOG = System.getLogger(UdpForwardHandler.class.getName());

    private final RelayContext context;
    private final InetSocketAddress remote;
    private final Ipv4Address remoteIp;
    /** By client, least recently active first (access order: every datagram either way gets its flow). */
    private final LinkedHashMap<InetSocketAddress, UdpFlow> flows = new LinkedHashMap<>(16, 0.75f, true);
    private Channel host;
    private ScheduledFuture<?> expiry;

    /** @param remote the guest's address and port, from {@link io.tapvsock.service.forwarder.core.GuestTarget} */
    UdpForwardHandler(RelayContext context, InetSocketAddress remote) {
        this.context = context;
        this.remote = remote;
        this.remoteIp = Ipv4Address.fromBytes(remote.getAddress().getAddress());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        host = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                fromHost(packet.sender(), packet.content());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Unexpose closes the socket and waits for its close future, which Netty completes before it fires
     * channelInactive: the flows end here, first, so that what unexpose answers is already true.
     */
    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        endFlows();
        ctx.close(promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        endFlows();
        ctx.fireChannelInactive();
    }

    private void endFlows() {
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
        flows.values().forEach(this::close);
        flows.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A datagram socket's errors (e.g. ICMP port unreachable from a client that went away) end no flow.
        LOG.log(Level.DEBUG, () -> host + ": " + cause);
    }

    /** @param content borrowed */
    private void fromHost(InetSocketAddress client, ByteBuf content) {
        UdpFlow flow = flows.get(client);
        if (flow == null) {
            flow = open(client);
            if (flow == null) {
                context.counters().udpDrops.increment();
                return;
            }
        }
        flow.lastActive = System.nanoTime();
        int bytes = content.readableBytes();
        if (flow.endpoint.send(remote, content.retain())) {
            context.counters().udpDatagramsToGuest.increment();
            context.counters().bytesToGuest.add(bytes);
        } else {
            context.counters().udpDrops.increment();
        }
    }

    /** A new flow for {@code client}, or null when no endpoint could be opened (logged). */
    private UdpFlow open(InetSocketAddress client) {
        ForwarderConfig config = context.config().get();
        while (flows.size() >= config.udpMaxFlows()) {
            Iterator<UdpFlow> eldest = flows.values().iterator();
            UdpFlow evicted = eldest.next();
            eldest.remove();
            close(evicted);
            context.counters().udpFlowsEvicted.increment();
        }
        InetSocketAddress source = SourceAddresses.forClient(client, context.settings().get(),
                config.sourceFromGateway());
        GuestUdpEndpoint endpoint;
        try {
            endpoint = openEndpoint(source, client);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "udp forward to " + remote + ": no endpoint for " + client + ": " + e);
            return null;
        }
        UdpFlow flow = new UdpFlow(client, endpoint, System.nanoTime());
        flows.put(client, flow);
        context.counters().udpFlows.increment();
        context.counters().activeUdpFlows.increment();
        if (expiry == null) {
            scheduleExpiry(config.udpFlowIdleSeconds() * 1_000_000_000L);
        }
        return flow;
    }

    private GuestUdpEndpoint openEndpoint(InetSocketAddress source, InetSocketAddress client) throws IOException {
        try {
            return context.udpConnector().open(source, datagram -> fromGuest(client, datagram));
        } catch (BindException e) {
            if (source.getPort() == 0) {
                throw e;
            }
            // The client's port is taken on that address inside the network (another forward's flow): any will do.
            return context.udpConnector().open(new InetSocketAddress(source.getAddress(), 0),
                    datagram -> fromGuest(client, datagram));
        }
    }

    /** @param datagram its payload is borrowed */
    private void fromGuest(InetSocketAddress client, UdpDatagram datagram) {
        UdpFlow flow = flows.get(client);
        // As a connected socket: only the forward's remote answers a flow.
        if (flow == null || !datagram.source().equals(remoteIp) || datagram.sourcePort() != remote.getPort()
                || !host.isActive()) {
            context.counters().udpDrops.increment();
            return;
        }
        flow.lastActive = System.nanoTime();
        ByteBuf payload = datagram.payload();
        int bytes = payload.readableBytes();
        ByteBuf copy = host.alloc().buffer(bytes).writeBytes(payload, payload.readerIndex(), bytes);
        context.counters().udpDatagramsToHost.increment();
        context.counters().bytesToHost.add(bytes);
        host.writeAndFlush(new DatagramPacket(copy, client)).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                context.counters().udpDrops.increment();
                LOG.log(Level.DEBUG, () -> "reply to " + client + " not sent: " + written.cause());
            }
        });
    }

    /** Ends the flows idle for the configured time, then waits for the next one's deadline. */
    private void expire() {
        expiry = null;
        long idle = context.config().get().udpFlowIdleSeconds() * 1_000_000_000L;
        long now = System.nanoTime();
        Iterator<UdpFlow> oldestFirst = flows.values().iterator();
        while (oldestFirst.hasNext()) {
            UdpFlow flow = oldestFirst.next();
            long left = flow.lastActive + idle - now;
            if (left > 0) {
                scheduleExpiry(left);
                return;
            }
            oldestFirst.remove();
            close(flow);
            context.counters().udpFlowsExpired.increment();
        }
    }

    private void scheduleExpiry(long nanos) {
        expiry = host.eventLoop().schedule(this::expire, nanos, TimeUnit.NANOSECONDS);
    }

    private void close(UdpFlow flow) {
        flow.endpoint.close();
        context.counters().activeUdpFlows.decrement();
    }
}
