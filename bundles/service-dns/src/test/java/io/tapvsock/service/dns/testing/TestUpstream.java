package io.tapvsock.service.dns.testing;

import static io.tapvsock.service.dns.testing.Messages.int32;
import static io.tapvsock.service.dns.testing.Messages.name;
import static io.tapvsock.service.dns.testing.Messages.short16;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordDecoder;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real DNS server for tests, on UDP and TCP 127.0.0.1 with one port number, answering a fixed example.com
 * zone: A, AAAA, MX, TXT (one string set over 255 bytes), SRV, PTR, SOA, HTTPS; "big.example.com." TXT is
 * 1000+ bytes and is answered over UDP with TC set and nothing else, so clients must ask again over TCP;
 * "missing.example.com." is NXDOMAIN. It remembers the IDs it saw and the exact answers it sent.
 */
public final class TestUpstream implements AutoCloseable {

    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final List<Integer> idsSeen = new CopyOnWriteArrayList<>();
    private final Map<Integer, byte[]> answersById = new ConcurrentHashMap<>();
    public final AtomicInteger udpQueries = new AtomicInteger();
    public final AtomicInteger tcpQueries = new AtomicInteger();

    public TestUpstream() throws IOException {
        DatagramSocket boundUdp = null;
        ServerSocket boundTcp = null;
        for (int tries = 0; boundTcp == null; tries++) {
            boundUdp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                boundTcp = new ServerSocket();
                boundTcp.setReuseAddress(true);
                boundTcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), boundUdp.getLocalPort()));
            } catch (BindException e) {
                boundTcp = null;
                boundUdp.close();
                if (tries > 20) {
                    throw e;
                }
            }
        }
        udp = boundUdp;
        tcp = boundTcp;
        Thread udpThread = new Thread(this::serveUdp, "test-upstream-udp");
        udpThread.setDaemon(true);
        udpThread.start();
        Thread tcpThread = new Thread(this::serveTcp, "test-upstream-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udp.getLocalPort());
    }

    public List<Integer> idsSeen() {
        return idsSeen;
    }

    /** The answer sent for the query that carried this ID (the last one, when it went over UDP and TCP). */
    public byte[] answerFor(int id) {
        return answersById.get(id);
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                udpQueries.incrementAndGet();
                byte[] answer = answer(Arrays.copyOf(packet.getData(), packet.getLength()), true);
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket socket = tcp.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                byte[] query = new byte[in.readUnsignedShort()];
                in.readFully(query);
                tcpQueries.incrementAndGet();
                byte[] answer = answer(query, false);
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            } catch (IOException e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    private byte[] answer(byte[] query, boolean overUdp) throws IOException {
        int id = Messages.id(query);
        idsSeen.add(id);
        ByteBuf in = Unpooled.wrappedBuffer(query);
        DnsQuestion question;
        int questionEnd;
        try {
            in.readerIndex(12);
            question = DnsRecordDecoder.DEFAULT.decodeQuestion(in);
            questionEnd = in.readerIndex();
        } catch (Exception e) {
            throw new IOException(e);
        } finally {
            in.release();
        }
        String name = question.name();
        int type = question.type().intValue();
        ByteArrayOutputStream records = new ByteArrayOutputStream();
        int count = 0;
        int rcode = 0;
        boolean tc = false;
        if (name.equals("big.example.com.") && type == Messages.TXT) {
            if (overUdp) {
                tc = true;
            } else {
                byte[] strings = new byte[5 * 201];
                for (int i = 0; i < 5; i++) {
                    strings[i * 201] = (byte) 200;
                    Arrays.fill(strings, i * 201 + 1, i * 201 + 201, (byte) ('a' + i));
                }
                record(records, name, type, strings);
                count = 1;
            }
        } else if (name.equals("missing.example.com.")) {
            rcode = 3;
        } else {
            byte[] rdata = rdata(name, type);
            if (rdata != null) {
                record(records, name, type, rdata);
                count = 1;
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        short16(out, id);
        short16(out, 0x8000 | 0x0100 | 0x0080 | (tc ? 0x0200 : 0) | rcode);
        short16(out, 1);
        short16(out, count);
        short16(out, 0);
        short16(out, 0);
        out.write(query, 12, questionEnd - 12);
        out.writeBytes(records.toByteArray());
        byte[] answer = out.toByteArray();
        answersById.put(id, answer);
        return answer;
    }

    private static void record(ByteArrayOutputStream out, String name, int type, byte[] rdata) {
        out.writeBytes(name(name));
        short16(out, type);
        short16(out, 1);
        int32(out, 300);
        short16(out, rdata.length);
        out.writeBytes(rdata);
    }

    /** The example.com zone's data (documentation addresses; nothing is ever sent to them). */
    private static byte[] rdata(String name, int type) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (type) {
            case Messages.A -> out.writeBytes(new byte[] {(byte) 192, 0, 2, 1});
            case Messages.AAAA -> out.writeBytes(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 1});
            case Messages.MX -> {
                short16(out, 10);
                out.writeBytes(name("mail.example.com."));
            }
            case Messages.TXT -> {
                // Two strings, 300 bytes of text in all: more than one string's 255.
                out.write(200);
                out.writeBytes("t".repeat(200).getBytes());
                out.write(100);
                out.writeBytes("u".repeat(100).getBytes());
            }
            case Messages.SRV -> {
                short16(out, 0);
                short16(out, 5);
                short16(out, 5060);
                out.writeBytes(name("sip.example.com."));
            }
            case Messages.PTR -> out.writeBytes(name("www.example.com."));
            case Messages.SOA -> {
                out.writeBytes(name("ns.example.com."));
                out.writeBytes(name("hostmaster.example.com."));
                int32(out, 2026112801);
                int32(out, 3600);
                int32(out, 600);
                int32(out, 86400);
                int32(out, 60);
            }
            case Messages.HTTPS -> {
                short16(out, 1);
                out.write(0);
            }
            default -> {
                return null;
            }
        }
        return out.toByteArray();
    }
}
