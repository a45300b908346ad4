package io.tapvsock.service.dns.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tapvsock.service.dns.core.DnsCounters.Counter;
import io.tapvsock.service.dns.wire.DnsHeader;
import io.tapvsock.service.dns.wire.DnsQuery;
import io.tapvsock.service.dns.wire.DnsReplies;
import io.tapvsock.service.dns.wire.MalformedDnsException;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * The gateway's DNS server, independent of transport: one query in, one reply out (now, or later when it was
 * forwarded). The UDP service and a TCP connection (through {@link DnsStreamSession}) are thin adapters.
 *
 * <p>Read first: RFC 1035 §4.2 (UDP 512, TCP length prefix), §7.3 (processing), RFC 6891 §6.2.3-§6.2.5 (the
 * requestor's UDP payload size), RFC 7766 §5-§6 (TCP), RFC 2308 (negative answers).
 *
 * <p>A query for a name in a local zone is answered here; every other query, of any type and class, goes
 * upstream unchanged but for its ID, and the upstream's answer comes back unchanged but for its ID. An answer
 * larger than the guest's UDP limit (512 bytes, or its EDNS0 size, never more than its link takes) is sent
 * truncated with TC, so the guest asks again over TCP. No upstream answer gives SERVFAIL, never a guess.
 *
 * <p>Network loop only (the forwarder's channels live there). Malformed queries are counted by reason; those
 * with a readable header get FORMERR, the rest are dropped.
 */
public final class DnsServer {

    private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());

    /** RFC 1035 §4.2.1: every UDP requestor takes 512 bytes. */
    public static final int UDP_MIN = 512;
    /** RFC 1035 §4.2.2: the TCP length prefix is 16 bits. */
    public static final int TCP_MAX = 65535;

    private final Zones zones;
    private final Forwarder forwarder;
    private final DnsCounters counters;
    private final ByteBufAllocator alloc;

    public DnsServer(Zones zones, Forwarder forwarder, DnsCounters counters, ByteBufAllocator alloc) {
        this.zones = zones;
        this.forwarder = forwarder;
        this.counters = counters;
        this.alloc = alloc;
    }

    public Zones zones() {
        return zones;
    }

    public DnsCounters counters() {
        return counters;
    }

    /**
     * A query that came over UDP.
     *
     * @param query borrowed: not retained after return
     * @param ceiling the largest UDP payload the guest's link carries (MTU minus IP and UDP headers)
     * @param reply gets the reply, at once or later on the network loop; transferred: the consumer releases
     */
    public void answerUdp(ByteBuf query, int ceiling, Consumer<ByteBuf> reply) {
        answer(query, ceiling, reply);
    }

    /**
     * A query that came over TCP (without its 2-byte length prefix): no size limit but the 16-bit length.
     *
     * @param query borrowed: not retained after return
     * @param reply gets the reply without a length prefix; transferred: the consumer releases
     */
    public void answerTcp(ByteBuf query, Consumer<ByteBuf> reply) {
        answer(query, -1, reply);
    }

    /** The largest UDP reply for this query: RFC 6891 §6.2.5, the requestor's size, at least 512. */
    static int udpLimit(DnsQuery query, int ceiling) {
        int wanted = query.hasEdns() ? Math.max(UDP_MIN, query.ednsUdpSize()) : UDP_MIN;
        return Math.min(wanted, Math.max(UDP_MIN, ceiling));
    }

    /** @param udpCeiling the link's UDP limit, or -1 for TCP */
    private void answer(ByteBuf message, int udpCeiling, Consumer<ByteBuf> reply) {
        counters.count(Counter.QUERIES);
        DnsQuery query;
        try {
            query = DnsQuery.parse(message);
        } catch (MalformedDnsException e) {
            counters.malformed(e.reason());
            LOG.log(Level.DEBUG, "DNS query refused: {0}", e.getMessage());
            if (e.reason().answerable()) {
                counters.count(Counter.FORMERR);
                reply.accept(DnsReplies.formatError(alloc, message));
            }
            return;
        }
        try {
            if (query.opcode() != DnsHeader.OPCODE_QUERY) {
                counters.count(Counter.NOTIMP);
                reply.accept(DnsReplies.empty(alloc, query, DnsHeader.RCODE_NOTIMP, false));
                return;
            }
            Resolution resolution = zones.resolve(query.name());
            if (resolution instanceof Resolution.NotLocal) {
                forward(message, query, udpCeiling < 0 ? TCP_MAX : udpLimit(query, udpCeiling), reply);
                return;
            }
            counters.count(Counter.ANSWERED_LOCALLY);
            reply.accept(localReply(query, resolution));
        } catch (RuntimeException e) {
            counters.count(Counter.INTERNAL_ERRORS);
            LOG.log(Level.WARNING, "DNS query for " + query.name() + " failed", e);
        }
    }

    private ByteBuf localReply(DnsQuery query, Resolution resolution) {
        if (resolution instanceof Resolution.Address(var address)) {
            boolean wantsA = query.type() == DnsQuery.TYPE_A || query.type() == DnsQuery.TYPE_ANY;
            boolean internet = query.dnsClass() == DnsQuery.CLASS_IN || query.dnsClass() == DnsQuery.CLASS_ANY;
            if (wantsA && internet) {
                return DnsReplies.address(alloc, query, address);
            }
            // RFC 2308 §2.2: the name exists, it has no data of this type.
            return DnsReplies.empty(alloc, query, DnsHeader.RCODE_NOERROR, true);
        }
        return DnsReplies.empty(alloc, query, DnsHeader.RCODE_NXDOMAIN, true);
    }

    private void forward(ByteBuf message, DnsQuery query, int limit, Consumer<ByteBuf> reply) {
        counters.count(Counter.FORWARDED);
        forwarder.forward(message, new Forwarder.Callback() {
            @Override
            public void answered(ByteBuf answer) {
                try {
                    if (answer.readableBytes() > limit) {
                        counters.count(Counter.TRUNCATED);
                        reply.accept(DnsReplies.truncated(alloc, answer, query));
                    } else {
                        counters.count(Counter.RELAYED);
                        reply.accept(answer.retain());
                    }
                } finally {
                    answer.release();
                }
            }

            @Override
            public void failed(Forwarder.Failure failure) {
                counters.count(Counter.SERVFAIL);
                if (failure == Forwarder.Failure.BUSY) {
                    counters.count(Counter.BUSY);
                }
                LOG.log(Level.DEBUG, "DNS query for {0} type {1}: SERVFAIL, {2}", query.name(), query.type(),
                        failure);
                reply.accept(DnsReplies.empty(alloc, query, DnsHeader.RCODE_SERVFAIL, false));
            }
        });
    }
}
