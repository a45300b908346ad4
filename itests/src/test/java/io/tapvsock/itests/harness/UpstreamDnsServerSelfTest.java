package io.tapvsock.itests.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DNS test tools alone, on 127.0.0.1: the message codec and the upstream server, without a daemon. */
class UpstreamDnsServerSelfTest {
    private static final List<DnsMessage.Record> RECORDS = List.of(
        DnsMessage.Record.in("www.example.test", DnsMessage.A, 60, DnsMessage.a("192.0.2.1")),
        DnsMessage.Record.in("big.example.test", DnsMessage.TXT, 60, DnsMessage.txt("x".repeat(255))),
        DnsMessage.Record.in("big.example.test", DnsMessage.TXT, 60, DnsMessage.txt("y".repeat(255))));

    @Test
    void parsesCompressedOwnerNames() {
        // An answer to www.example.test A whose record owner is a pointer to the question's name (offset 12).
        byte[] message = HexFormat.of().parseHex("abcd8180000100010000000003777777076578616d706c6504746573740000010001"
            + "c00c000100010000003c0004c0000201");
        DnsMessage parsed = DnsMessage.parse(message);
        assertEquals(0xabcd, parsed.id());
        assertEquals(List.of(new DnsMessage.Question("www.example.test.", DnsMessage.A, DnsMessage.CLASS_IN)),
            parsed.questions());
        assertEquals(List.of(RECORDS.get(0)), parsed.answers());
        assertThrows(IllegalArgumentException.class, () -> DnsMessage.parse(Arrays.copyOf(message, 40)));
    }

    @Test
    void answersOverUdpTruncatingBigAnswers_andWholeOverTcp() throws Exception {
        try (UpstreamDnsServer server = new UpstreamDnsServer(RECORDS);
             DatagramSocket udp = new DatagramSocket()) {
            udp.setSoTimeout(10_000);
            InetAddress loopback = InetAddress.getByName("127.0.0.1");

            DnsMessage small = DnsMessage.parse(exchangeUdp(udp, loopback, server.port(),
                DnsMessage.query(1, "WWW.example.test", DnsMessage.A, -1)));
            assertEquals(List.of(RECORDS.get(0)), small.answers());
            assertTrue(small.isAuthoritative());

            DnsMessage big = DnsMessage.query(2, "big.example.test", DnsMessage.TXT, -1);
            DnsMessage truncated = DnsMessage.parse(exchangeUdp(udp, loopback, server.port(), big));
            assertTrue(truncated.isTruncated());
            assertEquals(List.of(), truncated.answers());
            DnsMessage withEdns = DnsMessage.parse(exchangeUdp(udp, loopback, server.port(),
                DnsMessage.query(3, "big.example.test", DnsMessage.TXT, 1232)));
            assertEquals(RECORDS.subList(1, 3), withEdns.answers());

            try (Socket tcp = new Socket(loopback, server.port())) {
                DataOutputStream out = new DataOutputStream(tcp.getOutputStream());
                byte[] query = big.encode();
                out.writeShort(query.length);
                out.write(query);
                DataInputStream in = new DataInputStream(tcp.getInputStream());
                byte[] reply = new byte[in.readUnsignedShort()];
                in.readFully(reply);
                assertEquals(RECORDS.subList(1, 3), DnsMessage.parse(reply).answers());
            }
            DnsMessage missing = DnsMessage.parse(exchangeUdp(udp, loopback, server.port(),
                DnsMessage.query(4, "nope.example.test", DnsMessage.A, -1)));
            assertEquals(DnsMessage.NXDOMAIN, missing.rcode());
            assertEquals(List.of("udp www.example.test. 1", "udp big.example.test. 16", "udp big.example.test. 16",
                "tcp big.example.test. 16", "udp nope.example.test. 1"), server.asked());
        }
    }

    private static byte[] exchangeUdp(DatagramSocket udp, InetAddress server, int port, DnsMessage query)
        throws Exception {
        byte[] bytes = query.encode();
        udp.send(new DatagramPacket(bytes, bytes.length, server, port));
        DatagramPacket reply = new DatagramPacket(new byte[65535], 65535);
        udp.receive(reply);
        return Arrays.copyOf(reply.getData(), reply.getLength());
    }
}
