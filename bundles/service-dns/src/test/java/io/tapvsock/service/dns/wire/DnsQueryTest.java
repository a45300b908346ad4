package io.tapvsock.service.dns.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.service.dns.testing.Messages;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DnsQueryTest {

    private static DnsQuery parse(byte[] bytes) throws MalformedDnsException {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        try {
            return DnsQuery.parse(buf);
        } finally {
            buf.release();
        }
    }

    private static MalformedReason refused(byte[] bytes) {
        return assertThrows(MalformedDnsException.class, () -> parse(bytes)).reason();
    }

    @Test
    void parse_readsTheQuestionAndEdns() throws Exception {
        DnsQuery query = parse(Messages.query(0xBEEF, "WWW.Example.com.", Messages.AAAA, 1232));
        assertEquals(0xBEEF, query.id());
        assertEquals("WWW.Example.com.", query.name());
        assertEquals(Messages.AAAA, query.type());
        assertEquals(1, query.dnsClass());
        assertEquals(1232, query.ednsUdpSize());
        assertArrayEquals(Arrays.copyOfRange(Messages.query(0xBEEF, "WWW.Example.com.", Messages.AAAA, -1), 12, 33),
                query.question(), "question bytes as sent, case kept");
        assertEquals(-1, parse(Messages.query(1, "a.b.", Messages.A, -1)).ednsUdpSize());
    }

    @Test
    void header_shorterThan12Bytes_isTooShort() {
        assertEquals(MalformedReason.TOO_SHORT, refused(new byte[11]));
    }

    @Test
    void response_isNotAQuery() {
        byte[] bytes = Messages.query(1, "a.b.", Messages.A, -1);
        bytes[2] |= (byte) 0x80;
        assertEquals(MalformedReason.NOT_A_QUERY, refused(bytes));
    }

    @Test
    void countsThatLie_areRefused() {
        byte[] twoQuestions = Messages.query(1, "a.b.", Messages.A, -1);
        twoQuestions[5] = 2;
        assertEquals(MalformedReason.QUESTION_COUNT, refused(twoQuestions));

        byte[] moreRecords = Messages.query(1, "a.b.", Messages.A, -1);
        moreRecords[7] = 3;
        assertEquals(MalformedReason.COUNTS_EXCEED_MESSAGE, refused(moreRecords));

        byte[] moreAdditional = Messages.query(1, "a.b.", Messages.A, 1232);
        moreAdditional[11] = (byte) 0xFF;
        assertEquals(MalformedReason.COUNTS_EXCEED_MESSAGE, refused(moreAdditional));

        byte[] cutQuestion = Arrays.copyOf(Messages.query(1, "a.b.", Messages.A, -1), 15);
        assertEquals(MalformedReason.BAD_NAME, refused(cutQuestion));

        byte[] noType = Arrays.copyOf(Messages.query(1, "a.b.", Messages.A, -1), 19);
        assertEquals(MalformedReason.COUNTS_EXCEED_MESSAGE, refused(noType));

        byte[] fewer = Arrays.copyOf(Messages.query(1, "a.b.", Messages.A, 1232), 39);
        fewer[11] = 0;
        assertEquals(MalformedReason.TRAILING_BYTES, refused(fewer));
    }

    @Test
    void compressionLoops_areRefused() {
        // The question's name is a pointer to itself (offset 12).
        byte[] self = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 12, 0, 1, 0, 1};
        assertEquals(MalformedReason.COMPRESSION_LOOP, refused(self));
        // Two pointers that point at each other, after a label.
        byte[] pair = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', (byte) 0xC0, 16, (byte) 0xC0, 14, 0, 1, 0, 1};
        assertEquals(MalformedReason.COMPRESSION_LOOP, refused(pair));
        byte[] outOfRange = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte) 0xC0, 99, 0, 1, 0, 1};
        assertEquals(MalformedReason.BAD_NAME, refused(outOfRange));
    }

    @Test
    void twoOptRecords_areRefused() {
        byte[] one = Messages.query(1, "a.b.", Messages.A, 1232);
        byte[] opt = Arrays.copyOfRange(one, one.length - 11, one.length);
        byte[] two = Arrays.copyOf(one, one.length + 11);
        System.arraycopy(opt, 0, two, one.length, 11);
        two[11] = 2;
        assertEquals(MalformedReason.BAD_OPT, refused(two));
    }
}
