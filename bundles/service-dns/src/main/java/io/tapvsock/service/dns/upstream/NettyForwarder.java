package io.tapvsock.service.dns.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.tapvsock.service.dns.core.DnsCounters;
import io.tapvsock.service.dns.core.Forwarder;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Forwards queries to the upstream resolvers with non-blocking Netty channels on the network loop: one
 * connected UDP socket per attempt (a fresh source port each time, and ICMP port-unreachable comes back as an
 * error instead of a silent timeout), a random ID in place of the guest's, TCP when the UDP answer is truncated.
 *
 * <p>Read first: RFC 1035 §4.2, RFC 5452 (why the ID and the source port are random and the answer's question is
 * checked), RFC 7766 §5 (TCP after TC).
 *
 * <p>Network loop only, except {@link #reconfigure}, which any thread may call (the settings are one volatile
 * snapshot read per query).
 */
public final class NettyForwarder implements Forwarder {

    private final EventLoop loop;
    private final UpstreamChannels channels;
    private final DnsCounters counters;
    private final ByteBufAllocator alloc;
    private final Random random = new SecureRandom();
    private final Set<UpstreamExchange> inFlight = new HashSet<>();
    private volatile ForwarderSettings settings;
    private boolean closed;

    public NettyForwarder(EventLoop loop, ForwarderSettings settings, DnsCounters counters, ByteBufAllocator alloc) {
        this.loop = loop;
        this.channels = UpstreamChannels.forLoop(loop);
        this.settings = settings;
        this.counters = counters;
        this.alloc = alloc;
    }

    /** New settings for the queries that start from now on. Any thread. */
    public void reconfigure(ForwarderSettings next) {
        settings = next;
    }

    @Override
    public void forward(ByteBuf query, Callback callback) {
        ForwarderSettings now = settings;
        if (closed) {
            callback.failed(Failure.CLOSED);
            return;
        }
        if (inFlight.size() >= now.maxInFlight()) {
            callback.failed(Failure.BUSY);
            return;
        }
        List<InetSocketAddress> servers = now.servers().current();
        if (servers.isEmpty()) {
            callback.failed(Failure.NO_SERVERS);
            return;
        }
        int guestId = query.getUnsignedShort(query.readerIndex());
        int ourId = random.nextInt(0x10000);
        ByteBuf copy = alloc.buffer(query.readableBytes());
        copy.writeBytes(query, query.readerIndex(), query.readableBytes());
        copy.setShort(0, ourId);
        UpstreamExchange exchange = new UpstreamExchange(this, copy, guestId, ourId, servers, now, callback);
        inFlight.add(exchange);
        exchange.start();
    }

    /** How many queries are upstream now. Network loop only. */
    public int inFlight() {
        return inFlight.size();
    }

    /** Ends every query in flight with {@link Failure#CLOSED} and refuses new ones. Network loop only. */
    public void close() {
        closed = true;
        for (UpstreamExchange exchange : new ArrayList<>(inFlight)) {
            exchange.abort();
        }
    }

    EventLoop loop() {
        return loop;
    }

    UpstreamChannels channels() {
        return channels;
    }

    DnsCounters counters() {
        return counters;
    }

    ByteBufAllocator alloc() {
        return alloc;
    }

    void finished(UpstreamExchange exchange) {
        inFlight.remove(exchange);
    }
}
