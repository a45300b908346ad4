package io.tapvsock.service.dns.core;

import static io.tapvsock.service.dns.testing.Messages.count;
import static io.tapvsock.service.dns.testing.Messages.id;
import static io.tapvsock.service.dns.testing.Messages.query;
import static io.tapvsock.service.dns.testing.Messages.rcode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dns.core.DnsCounters.Counter;
import io.tapvsock.service.dns.testing.Messages;
import io.tapvsock.service.dns.wire.MalformedReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Local answers and refusals: no upstream is involved (the forwarder only records). */
class DnsServerLocalTest {

    private final List<byte[]> forwarded = new ArrayList<>();
    private final Forwarder recording = (query, callback) -> {
        byte[] bytes = new byte[query.readableBytes()];
        query.getBytes(query.readerIndex(), bytes);
        forwarded.add(bytes);
        callback.failed(Forwarder.Failure.NO_SERVERS);
    };
    private final DnsCounters counters = new DnsCounters();
    private final DnsServer server = new DnsServer(new Zones(DefaultZones.of(NetworkSettings.defaults())), recording,
            counters, ByteBufAllocator.DEFAULT);

    private List<byte[]> ask(byte[] query) {
        List<byte[]> replies = new ArrayList<>();
        ByteBuf message = Unpooled.wrappedBuffer(query);
        try {
            server.answerUdp(message, 1472, reply -> {
                byte[] bytes = new byte[reply.readableBytes()];
                reply.getBytes(reply.readerIndex(), bytes);
                reply.release();
                replies.add(bytes);
            });
        } finally {
            message.release();
        }
        return replies;
    }

    private byte[] one(byte[] query) {
        List<byte[]> replies = ask(query);
        assertEquals(1, replies.size());
        return replies.getFirst();
    }

    @Test
    void a_forALocalName_isAnsweredWithTtl0() throws Exception {
        byte[] reply = one(query(77, "Gateway.Containers.Internal.", Messages.A, -1));
        assertEquals(77, id(reply));
        assertEquals(0, rcode(reply));
        assertTrue((Messages.flags(reply) & 0x8400) == 0x8400, "QR and AA");
        assertTrue((Messages.flags(reply) & 0x0100) != 0, "RD copied");
        Messages.Rr answer = Messages.records(reply).getFirst();
        assertEquals(Messages.A, answer.type());
        assertEquals(0, answer.ttl());
        assertArrayEquals(new byte[] {(byte) 192, (byte) 168, 127, 1}, answer.rdata());
        assertTrue(forwarded.isEmpty());
        assertEquals(1, counters.get(Counter.ANSWERED_LOCALLY));
    }

    @Test
    void otherTypes_forALocalName_getNodata() {
        byte[] reply = one(query(1, "host.docker.internal.", Messages.AAAA, 1232));
        assertEquals(0, rcode(reply));
        assertEquals(0, count(reply, 1));
        assertEquals(1, count(reply, 3), "an OPT answers the guest's OPT");
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void unknownLocalName_isNxdomain() {
        byte[] reply = one(query(2, "nope.containers.internal.", Messages.A, -1));
        assertEquals(3, rcode(reply));
        assertEquals(1, count(reply, 0));
    }

    @Test
    void otherNames_goUpstreamUnchanged_andServfailWhenNoneAnswers() {
        byte[] query = query(3, "www.example.com.", 99, -1);
        byte[] reply = one(query);
        assertArrayEquals(query, forwarded.getFirst());
        assertEquals(2, rcode(reply));
        assertEquals(1, counters.get(Counter.SERVFAIL));
    }

    @Test
    void malformedQueries_getFormerr_andAreCountedByReason() {
        byte[] lying = query(4, "a.b.", Messages.A, -1);
        lying[7] = 5;
        byte[] reply = one(lying);
        assertEquals(4, id(reply));
        assertEquals(1, rcode(reply));
        assertEquals(0, count(reply, 0));
        byte[] loop = {0, 5, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertEquals(1, rcode(one(loop)));
        assertEquals(1, counters.get(MalformedReason.COUNTS_EXCEED_MESSAGE));
        assertEquals(1, counters.get(MalformedReason.COMPRESSION_LOOP));
        assertEquals(2, counters.get(Counter.FORMERR));
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void garbageWithoutAHeader_orAResponse_getsNothing() {
        assertTrue(ask(new byte[] {1, 2, 3}).isEmpty());
        byte[] response = query(5, "a.b.", Messages.A, -1);
        response[2] |= (byte) 0x80;
        assertTrue(ask(response).isEmpty());
        assertEquals(1, counters.get(MalformedReason.TOO_SHORT));
        assertEquals(1, counters.get(MalformedReason.NOT_A_QUERY));
    }

    @Test
    void otherOpcodes_getNotimp() {
        byte[] notify = query(6, "a.b.", Messages.SOA, -1);
        notify[2] = (byte) (4 << 3);
        assertEquals(4, rcode(one(notify)));
    }

    @Test
    void udpLimit_followsEdns_within512AndTheLink() throws Exception {
        assertEquals(512, DnsServer.udpLimit(parse(query(1, "a.", 1, -1)), 1472));
        assertEquals(512, DnsServer.udpLimit(parse(query(1, "a.", 1, 100)), 1472));
        assertEquals(1232, DnsServer.udpLimit(parse(query(1, "a.", 1, 1232)), 1472));
        assertEquals(1472, DnsServer.udpLimit(parse(query(1, "a.", 1, 4096)), 1472));
    }

    private static io.tapvsock.service.dns.wire.DnsQuery parse(byte[] bytes) throws Exception {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return io.tapvsock.service.dns.wire.DnsQuery.parse(buf);
        } finally {
            buf.release();
        }
    }
}
