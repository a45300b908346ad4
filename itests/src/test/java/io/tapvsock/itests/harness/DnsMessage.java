package io.tapvsock.itests.harness;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A DNS message as the integration tests see it: queries and answers built from parts, replies parsed back
 * (owner names may be compressed; record data is kept as the bytes that came, in hex, so a relayed record
 * compares equal to the one its server wrote). Names are written uncompressed.
 *
 * <p>Read first: RFC 1035 §3.3 (record data of A, CNAME, MX, PTR, SOA, TXT), §4.1 (message format), §4.1.4
 * (compression), RFC 3596 (AAAA), RFC 2782 (SRV), RFC 6891 §6.1 (the OPT record).
 *
 * @param id the message ID
 * @param flags the 16 flag bits of the header, RCODE included
 */
public record DnsMessage(int id, int flags, List<Question> questions, List<Record> answers,
        List<Record> authorities, List<Record> additionals) {

    public static final int A = 1;
    public static final int CNAME = 5;
    public static final int SOA = 6;
    public static final int PTR = 12;
    public static final int MX = 15;
    public static final int TXT = 16;
    public static final int AAAA = 28;
    public static final int SRV = 33;
    public static final int OPT = 41;
    public static final int HTTPS = 65;
    public static final int CLASS_IN = 1;

    public static final int QR = 0x8000;
    public static final int AA = 0x0400;
    public static final int TC = 0x0200;
    public static final int RD = 0x0100;
    public static final int RA = 0x0080;

    public static final int NOERROR = 0;
    public static final int FORMERR = 1;
    public static final int SERVFAIL = 2;
    public static final int NXDOMAIN = 3;

    private static final HexFormat HEX = HexFormat.of();

    public DnsMessage {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
        authorities = List.copyOf(authorities);
        additionals = List.copyOf(additionals);
    }

    /** A question; the name in lower case with its trailing dot. */
    public record Question(String name, int type, int dnsClass) {
        public Question {
            name = canonical(name);
        }
    }

    /** A resource record; the owner in lower case with its trailing dot, the data as lower-case hex. */
    public record Record(String name, int type, int dnsClass, long ttl, String rdataHex) {
        public Record {
            name = canonical(name);
            rdataHex = rdataHex.toLowerCase(Locale.ROOT);
        }

        /** An IN record with {@code rdata}. */
        public static Record in(String name, int type, long ttl, byte[] rdata) {
            return new Record(name, type, CLASS_IN, ttl, HEX.formatHex(rdata));
        }

        public byte[] rdata() {
            return HEX.parseHex(rdataHex);
        }
    }

    public int rcode() {
        return flags & 0xF;
    }

    public boolean isResponse() {
        return (flags & QR) != 0;
    }

    public boolean isTruncated() {
        return (flags & TC) != 0;
    }

    public boolean isAuthoritative() {
        return (flags & AA) != 0;
    }

    /** A query with RD set, one question of class IN, and an OPT record when {@code ednsSize >= 0}. */
    public static DnsMessage query(int id, String name, int type, int ednsSize) {
        List<Record> additionals = ednsSize < 0 ? List.of() : List.of(new Record(".", OPT, ednsSize, 0, ""));
        return new DnsMessage(id, RD, List.of(new Question(name, type, CLASS_IN)), List.of(), List.of(),
            additionals);
    }

    /** The wire form, every name uncompressed. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        short16(out, flags);
        short16(out, questions.size());
        short16(out, answers.size());
        short16(out, authorities.size());
        short16(out, additionals.size());
        for (Question question : questions) {
            out.writeBytes(name(question.name()));
            short16(out, question.type());
            short16(out, question.dnsClass());
        }
        for (List<Record> section : List.of(answers, authorities, additionals)) {
            for (Record record : section) {
                out.writeBytes(name(record.name()));
                short16(out, record.type());
                short16(out, record.dnsClass());
                int32(out, record.ttl());
                byte[] rdata = record.rdata();
                short16(out, rdata.length);
                out.writeBytes(rdata);
            }
        }
        return out.toByteArray();
    }

    /** Parses a whole message; throws IllegalArgumentException when it is not one. */
    public static DnsMessage parse(byte[] message) {
        try {
            Reader in = new Reader(message);
            int id = in.u16();
            int flags = in.u16();
            int questionCount = in.u16();
            int[] counts = {in.u16(), in.u16(), in.u16()};
            List<Question> questions = new ArrayList<>();
            for (int i = 0; i < questionCount; i++) {
                questions.add(new Question(in.name(), in.u16(), in.u16()));
            }
            List<List<Record>> sections = new ArrayList<>();
            for (int count : counts) {
                List<Record> records = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String owner = in.name();
                    int type = in.u16();
                    int dnsClass = in.u16();
                    long ttl = in.u32();
                    byte[] rdata = in.bytes(in.u16());
                    records.add(new Record(owner, type, dnsClass, ttl, HEX.formatHex(rdata)));
                }
                sections.add(records);
            }
            if (in.at != message.length) {
                throw new IllegalArgumentException((message.length - in.at) + " bytes after the last record");
            }
            return new DnsMessage(id, flags, questions, sections.get(0), sections.get(1), sections.get(2));
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("the message ends early: " + HEX.formatHex(message), e);
        }
    }

    /** The name in wire form: length-prefixed labels, then the root's zero. */
    public static byte[] name(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String canonical = canonical(name);
        if (!canonical.equals(".")) {
            for (String label : canonical.substring(0, canonical.length() - 1).split("\\.")) {
                byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    /** A: four bytes. */
    public static byte[] a(String address) {
        return addressBytes(address, 4);
    }

    /** AAAA: sixteen bytes. */
    public static byte[] aaaa(String address) {
        return addressBytes(address, 16);
    }

    /** MX: preference, exchange. */
    public static byte[] mx(int preference, String exchange) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, preference);
        out.writeBytes(name(exchange));
        return out.toByteArray();
    }

    /** TXT: one or more character-strings of up to 255 bytes each. */
    public static byte[] txt(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String string : strings) {
            byte[] bytes = string.getBytes(StandardCharsets.US_ASCII);
            if (bytes.length > 255) {
                throw new IllegalArgumentException("a character-string holds 255 bytes, not " + bytes.length);
            }
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    /** SRV: priority, weight, port, target. */
    public static byte[] srv(int priority, int weight, int port, String target) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, priority);
        short16(out, weight);
        short16(out, port);
        out.writeBytes(name(target));
        return out.toByteArray();
    }

    /** PTR and CNAME: one name. */
    public static byte[] domain(String target) {
        return name(target);
    }

    /** SOA: primary, mailbox, serial, refresh, retry, expire, minimum. */
    public static byte[] soa(String primary, String mailbox, long serial, long refresh, long retry, long expire,
            long minimum) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(name(primary));
        out.writeBytes(name(mailbox));
        for (long value : new long[] {serial, refresh, retry, expire, minimum}) {
            int32(out, value);
        }
        return out.toByteArray();
    }

    /** Lower case with exactly one trailing dot; the root is ".". */
    static String canonical(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower : lower + ".";
    }

    private static byte[] addressBytes(String address, int length) {
        try {
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length != length) {
                throw new IllegalArgumentException(address + " is not a " + length * 8 + "-bit address");
            }
            return bytes;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    private static void short16(ByteArrayOutputStream out, int value) {
        out.write(value >>> 8 & 0xFF);
        out.write(value & 0xFF);
    }

    private static void int32(ByteArrayOutputStream out, long value) {
        short16(out, (int) (value >>> 16 & 0xFFFF));
        short16(out, (int) (value & 0xFFFF));
    }

    /** Reads a message front to back; names may point back into it (RFC 1035 §4.1.4). */
    private static final class Reader {
        private final byte[] message;
        private int at;

        Reader(byte[] message) {
            this.message = message;
        }

        int u8() {
            return message[at++] & 0xFF;
        }

        int u16() {
            return u8() << 8 | u8();
        }

        long u32() {
            return (long) u16() << 16 | u16();
        }

        byte[] bytes(int length) {
            if (at + length > message.length) {
                throw new IllegalArgumentException("record data runs past the message's end");
            }
            byte[] bytes = Arrays.copyOfRange(message, at, at + length);
            at += length;
            return bytes;
        }

        String name() {
            StringBuilder name = new StringBuilder();
            int position = at;
            int jumps = 0;
            boolean jumped = false;
            while (true) {
                int length = message[position] & 0xFF;
                if ((length & 0xC0) == 0xC0) {
                    if (++jumps > 64) {
                        throw new IllegalArgumentException("compression loop");
                    }
                    int target = (length & 0x3F) << 8 | message[position + 1] & 0xFF;
                    if (!jumped) {
                        at = position + 2;
                        jumped = true;
                    }
                    position = target;
                    continue;
                }
                if (length == 0) {
                    if (!jumped) {
                        at = position + 1;
                    }
                    return name.isEmpty() ? "." : name.toString();
                }
                name.append(new String(message, position + 1, length, StandardCharsets.US_ASCII)).append('.');
                position += 1 + length;
            }
        }
    }
}
