package io.tapvsock.service.dns.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** DNS messages as byte arrays for tests: queries built by hand, replies read back through Netty's decoder. */
public final class Messages {

    public static final int A = 1;
    public static final int NS = 2;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int OPT = 41;
    public static final int HTTPS = 65;

    private Messages() {
    }

    /** A query with RD set, one question in class IN, and an OPT record when {@code ednsSize >= 0}. */
    public static byte[] query(int id, String name, int type, int ednsSize) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        short16(out, 0x0100);
        short16(out, 1);
        short16(out, 0);
        short16(out, 0);
        short16(out, ednsSize >= 0 ? 1 : 0);
        out.writeBytes(name(name));
        short16(out, type);
        short16(out, 1);
        if (ednsSize >= 0) {
            out.write(0);
            short16(out, OPT);
            short16(out, ednsSize);
            short16(out, 0);
            short16(out, 0);
            short16(out, 0);
        }
        return out.toByteArray();
    }

    /** A name in uncompressed wire form. */
    public static byte[] name(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    public static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    public static void int32(ByteArrayOutputStream out, long value) {
        short16(out, (int) (value >>> 16));
        short16(out, (int) value);
    }

    public static int id(byte[] message) {
        return (message[0] & 0xFF) << 8 | message[1] & 0xFF;
    }

    public static int flags(byte[] message) {
        return (message[2] & 0xFF) << 8 | message[3] & 0xFF;
    }

    public static int rcode(byte[] message) {
        return flags(message) & 0xF;
    }

    public static boolean truncated(byte[] message) {
        return (flags(message) & 0x0200) != 0;
    }

    public static int count(byte[] message, int section) {
        int at = 4 + 2 * section;
        return (message[at] & 0xFF) << 8 | message[at + 1] & 0xFF;
    }

    /** The message without its ID, to compare two messages that differ only there. */
    public static byte[] withoutId(byte[] message) {
        return Arrays.copyOfRange(message, 2, message.length);
    }

    /** A decoded record: owner, type code, and RDATA bytes (names inside decompressed by Netty where it does). */
    public record Rr(String name, int type, int dnsClass, long ttl, byte[] rdata) {
    }

    /** The question's name and the records of every section, decoded by Netty. */
    public static List<Rr> records(byte[] message) throws Exception {
        ByteBuf in = Unpooled.wrappedBuffer(message);
        try {
            in.readerIndex(12);
            for (int i = 0; i < count(message, 0); i++) {
                DnsQuestion question = DnsRecordDecoder.DEFAULT.decodeQuestion(in);
                ReferenceCountUtil.release(question);
            }
            List<Rr> records = new ArrayList<>();
            int total = count(message, 1) + count(message, 2) + count(message, 3);
            for (int i = 0; i < total; i++) {
                DnsRecord record = DnsRecordDecoder.DEFAULT.decodeRecord(in);
                try {
                    byte[] rdata = new byte[0];
                    if (record instanceof io.netty.handler.codec.dns.DnsRawRecord raw) {
                        rdata = new byte[raw.content().readableBytes()];
                        raw.content().getBytes(raw.content().readerIndex(), rdata);
                    }
                    records.add(new Rr(record.name(), record.type().intValue(), record.dnsClass(),
                            record.timeToLive(), rdata));
                } finally {
                    ReferenceCountUtil.release(record);
                }
            }
            return records;
        } finally {
            in.release();
        }
    }
}
