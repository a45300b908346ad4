package io.tapvsock.service.dns.wire;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.util.ReferenceCountUtil;

/**
 * A guest's DNS query, checked from end to end: the header through {@link DnsHeader}, the question and every
 * record the counts announce through Netty's {@link DnsRecordDecoder} (which follows compression pointers and
 * refuses loops, out-of-range pointers and over-long labels and names).
 *
 * <p>Read first: RFC 1035 §4.1 (message format), §4.1.4 (compression), RFC 6891 §6 (the OPT record), RFC 9619
 * (QDCOUNT is 1).
 *
 * @param id the guest's ID
 * @param flags the guest's header flags (opcode, RD, CD, ...)
 * @param name the question's name as Netty decodes it, with the trailing dot ("gateway.containers.internal.")
 * @param type the question's type code (1 = A, 28 = AAAA, 65 = HTTPS, ...)
 * @param dnsClass the question's class (1 = IN)
 * @param question the question section's bytes exactly as the guest sent them (case preserved, RFC 4343 §4.1)
 * @param ednsUdpSize the UDP payload size of the guest's OPT record, or -1 when it sent none
 */
public record DnsQuery(int id, int flags, String name, int type, int dnsClass, byte[] question, int ednsUdpSize) {

    public static final int TYPE_A = 1;
    public static final int TYPE_ANY = 255;
    public static final int CLASS_IN = 1;
    public static final int CLASS_ANY = 255;

    public int opcode() {
        return flags >>> 11 & 0xF;
    }

    public boolean hasEdns() {
        return ednsUdpSize >= 0;
    }

    /**
     * Checks a whole message and reads its question.
     *
     * @param message borrowed: not retained after return; the message is its readable bytes
     * @throws MalformedDnsException with the reason it is counted under
     */
    public static DnsQuery parse(ByteBuf message) throws MalformedDnsException {
        // A slice: compression pointers count from the message's first byte.
        ByteBuf in = message.slice();
        DnsHeader header = DnsHeader.wrapUnchecked(in, 0);
        if (!header.checkLen()) {
            throw new MalformedDnsException(MalformedReason.TOO_SHORT, in.readableBytes() + " bytes");
        }
        if (header.isResponse()) {
            throw new MalformedDnsException(MalformedReason.NOT_A_QUERY, "QR is set");
        }
        if (header.questionCount() != 1) {
            throw new MalformedDnsException(MalformedReason.QUESTION_COUNT, "QDCOUNT " + header.questionCount());
        }
        in.readerIndex(DnsHeader.LENGTH);
        try {
            DnsQuestion question = DnsRecordDecoder.DEFAULT.decodeQuestion(in);
            int questionEnd = in.readerIndex();
            byte[] questionBytes = new byte[questionEnd - DnsHeader.LENGTH];
            in.getBytes(DnsHeader.LENGTH, questionBytes);
            int ednsUdpSize = readRecords(in, header);
            if (in.isReadable()) {
                throw new MalformedDnsException(MalformedReason.TRAILING_BYTES,
                        in.readableBytes() + " bytes after the last record");
            }
            return new DnsQuery(header.id(), header.flags(), question.name(), question.type().intValue(),
                    question.dnsClass(), questionBytes, ednsUdpSize);
        } catch (CorruptedFrameException e) {
            String detail = String.valueOf(e.getMessage());
            throw new MalformedDnsException(detail.contains("loop") ? MalformedReason.COMPRESSION_LOOP
                    : MalformedReason.BAD_NAME, detail);
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedDnsException(MalformedReason.COUNTS_EXCEED_MESSAGE, "the question is cut short");
        } catch (MalformedDnsException e) {
            throw e;
        } catch (Exception e) {
            // DnsRecordDecoder declares Exception; anything else it throws is a name or record it refused.
            throw new MalformedDnsException(MalformedReason.BAD_NAME, String.valueOf(e.getMessage()));
        }
    }

    /** Walks the answer, authority and additional sections; returns the OPT record's UDP size or -1. */
    private static int readRecords(ByteBuf in, DnsHeader header) throws Exception {
        int beforeAdditional = header.answerCount() + header.authorityCount();
        int total = beforeAdditional + header.additionalCount();
        int ednsUdpSize = -1;
        for (int i = 0; i < total; i++) {
            DnsRecord record = DnsRecordDecoder.DEFAULT.decodeRecord(in);
            if (record == null) {
                throw new MalformedDnsException(MalformedReason.COUNTS_EXCEED_MESSAGE,
                        "the counts announce " + total + " records, the message holds " + i);
            }
            try {
                if (record.type() == DnsRecordType.OPT) {
                    // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
                    if (i < beforeAdditional || ednsUdpSize >= 0 || !record.name().equals(".")) {
                        throw new MalformedDnsException(MalformedReason.BAD_OPT, "OPT record " + i);
                    }
                    ednsUdpSize = record.dnsClass();
                }
            } finally {
                ReferenceCountUtil.release(record);
            }
        }
        return ednsUdpSize;
    }
}
