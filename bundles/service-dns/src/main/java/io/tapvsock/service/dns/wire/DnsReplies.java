package io.tapvsock.service.dns.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordEncoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.tapvsock.api.Ipv4Address;

/**
 * The replies the gateway writes itself: local answers, errors, and truncated forms of upstream answers. The
 * question goes back byte for byte as the guest sent it; records are written by Netty's {@link DnsRecordEncoder}.
 *
 * <p>Read first: RFC 1035 §4.1 and §7.3 (what a response carries), RFC 2308 §2 (NXDOMAIN and NODATA),
 * RFC 6891 §7 (a responder that understands EDNS answers an OPT with an OPT), RFC 2181 §9 and RFC 7766 §5
 * (TC: the client retries over TCP).
 */
public final class DnsReplies {

    /** The UDP payload size we announce in our OPT records (DNS flag day 2020's safe size). */
    public static final int OUR_UDP_SIZE = 1232;
    /** TTL of local answers: 0, as gvproxy, so a zone edited through the API takes effect at once. */
    private static final long LOCAL_TTL = 0;

    private DnsReplies() {
    }

    /**
     * An authoritative answer with one A record.
     *
     * @return transferred: the caller sends or releases it
     */
    public static ByteBuf address(ByteBufAllocator alloc, DnsQuery query, Ipv4Address address) {
        ByteBuf reply = start(alloc, query, DnsHeader.AA, DnsHeader.RCODE_NOERROR, 1);
        try {
            encode(new DefaultDnsRawRecord(query.name(), DnsRecordType.A, DnsQuery.CLASS_IN, LOCAL_TTL,
                    Unpooled.wrappedBuffer(address.toBytes())), reply);
            finishOpt(query, reply);
            return reply;
        } catch (RuntimeException e) {
            reply.release();
            throw e;
        }
    }

    /**
     * A reply with the question and no answer: NXDOMAIN, NODATA (NOERROR and nothing), SERVFAIL, NOTIMP.
     *
     * @param authoritative set AA (local zones), or not (a failure to forward)
     * @return transferred: the caller sends or releases it
     */
    public static ByteBuf empty(ByteBufAllocator alloc, DnsQuery query, int rcode, boolean authoritative) {
        ByteBuf reply = start(alloc, query, authoritative ? DnsHeader.AA : 0, rcode, 0);
        finishOpt(query, reply);
        return reply;
    }

    /**
     * FORMERR to a message that could not be parsed past its header: the header alone, ID and opcode echoed
     * (RFC 1035 §4.1.1: "unable to interpret the query").
     *
     * @param message borrowed: not retained after return; holds at least a header
     * @return transferred: the caller sends or releases it
     */
    public static ByteBuf formatError(ByteBufAllocator alloc, ByteBuf message) {
        DnsHeader query = DnsHeader.wrapUnchecked(message, message.readerIndex());
        ByteBuf reply = alloc.buffer(DnsHeader.LENGTH);
        reply.writeZero(DnsHeader.LENGTH);
        DnsHeader header = DnsHeader.wrapUnchecked(reply, 0);
        header.setId(query.id());
        header.setFlags(DnsHeader.responseFlags(query.flags(), DnsHeader.RCODE_FORMERR));
        header.setCounts(0, 0, 0, 0);
        return reply;
    }

    /**
     * The truncated form of an upstream answer too big for the guest's UDP limit: its ID, flags and RCODE with
     * TC set, the question, no records (an OPT when the guest sent one); the guest asks again over TCP.
     *
     * @param answer borrowed: not retained after return; an upstream answer with the guest's ID restored
     * @return transferred: the caller sends or releases it
     */
    public static ByteBuf truncated(ByteBufAllocator alloc, ByteBuf answer, DnsQuery query) {
        DnsHeader upstream = DnsHeader.wrapUnchecked(answer, answer.readerIndex());
        ByteBuf reply = alloc.buffer(DnsHeader.LENGTH + query.question().length + 11);
        reply.writeZero(DnsHeader.LENGTH);
        DnsHeader header = DnsHeader.wrapUnchecked(reply, 0);
        header.setId(upstream.id());
        header.setFlags(upstream.flags() | DnsHeader.TC);
        header.setCounts(1, 0, 0, query.hasEdns() ? 1 : 0);
        reply.writeBytes(query.question());
        finishOpt(query, reply);
        return reply;
    }

    /** Header and question; the answer count is given, the additional count covers our OPT. */
    private static ByteBuf start(ByteBufAllocator alloc, DnsQuery query, int extraFlags, int rcode, int answers) {
        ByteBuf reply = alloc.buffer(DnsHeader.LENGTH + query.question().length + 64);
        reply.writeZero(DnsHeader.LENGTH);
        DnsHeader header = DnsHeader.wrapUnchecked(reply, 0);
        header.setId(query.id());
        header.setFlags(DnsHeader.responseFlags(query.flags(), rcode) | extraFlags);
        header.setCounts(1, answers, 0, query.hasEdns() ? 1 : 0);
        reply.writeBytes(query.question());
        return reply;
    }

    /** RFC 6891 §7: our own OPT (root owner, class = our UDP size, no flags, no options) when the guest sent one. */
    private static void finishOpt(DnsQuery query, ByteBuf reply) {
        if (query.hasEdns()) {
            encode(new DefaultDnsRawRecord(".", DnsRecordType.OPT, OUR_UDP_SIZE, 0, Unpooled.EMPTY_BUFFER), reply);
        }
    }

    private static void encode(DnsRecord record, ByteBuf out) {
        try {
            DnsRecordEncoder.DEFAULT.encodeRecord(record, out);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot encode " + record + ": " + e.getMessage(), e);
        } finally {
            io.netty.util.ReferenceCountUtil.release(record);
        }
    }
}
