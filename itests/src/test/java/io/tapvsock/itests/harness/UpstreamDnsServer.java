package io.tapvsock.itests.harness;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny authoritative DNS server on 127.0.0.1, UDP and TCP on one port, serving a fixed list of records: the
 * upstream the daemon forwards to in the DNS tests (there is no other resolver these tests may use). A name it
 * has no record for is NXDOMAIN; a name with records but none of the asked type gets an empty NOERROR. A UDP
 * answer larger than 512 bytes, or than the query's EDNS0 size, goes out as the header and question with TC set
 * (RFC 1035 §4.2.1, RFC 6891 §6.2.5), so the asker must come back over TCP. It keeps a log of what it was asked.
 *
 * <p>Read first: RFC 1035 §4.2 (UDP and TCP), §7.3 (what a server answers), RFC 7766 §6 (TCP connections).
 */
public final class UpstreamDnsServer implements AutoCloseable {
    private static final int UDP_MIN = 512;

    private final List<DnsMessage.Record> records;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<Socket> connections = new CopyOnWriteArrayList<>();

    /** Binds UDP and TCP on one free port of 127.0.0.1 and starts serving {@code records}. */
    public UpstreamDnsServer(List<DnsMessage.Record> records) throws IOException {
        this.records = List.copyOf(records);
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        DatagramSocket boundUdp = null;
        ServerSocket boundTcp = null;
        // A free UDP port whose TCP twin may be taken: try again with another.
        for (int tries = 0; boundTcp == null; tries++) {
            boundUdp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            try {
                boundTcp = new ServerSocket();
                boundTcp.bind(new InetSocketAddress(loopback, boundUdp.getLocalPort()));
            } catch (BindException e) {
                boundTcp.close();
                boundTcp = null;
                boundUdp.close();
                if (tries >= 20) {
                    throw e;
                }
            }
        }
        udp = boundUdp;
        tcp = boundTcp;
        threads.add(Thread.ofPlatform().daemon().name("upstream-dns-udp").start(this::serveUdp));
        threads.add(Thread.ofPlatform().daemon().name("upstream-dns-tcp").start(this::serveTcp));
    }

    /** The port, the same for UDP and TCP. */
    public int port() {
        return udp.getLocalPort();
    }

    /** Every question asked so far, as "udp|tcp NAME TYPE", in order. */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    /** The answer this server gives to {@code query}, whole (as over TCP); null when it is not a query. */
    public DnsMessage answer(DnsMessage query) {
        if (query.isResponse() || query.questions().size() != 1) {
            return null;
        }
        DnsMessage.Question question = query.questions().get(0);
        List<DnsMessage.Record> matching = new ArrayList<>();
        boolean nameKnown = false;
        for (DnsMessage.Record record : records) {
            if (record.name().equals(question.name())) {
                nameKnown = true;
                if (record.type() == question.type() && record.dnsClass() == question.dnsClass()) {
                    matching.add(record);
                }
            }
        }
        int rcode = nameKnown ? DnsMessage.NOERROR : DnsMessage.NXDOMAIN;
        int flags = DnsMessage.QR | DnsMessage.AA | query.flags() & DnsMessage.RD | rcode;
        return new DnsMessage(query.id(), flags, query.questions(), matching, List.of(), List.of());
    }

    private byte[] answerUdp(byte[] raw) {
        DnsMessage query = DnsMessage.parse(raw);
        DnsMessage whole = answer(query);
        if (whole == null) {
            return null;
        }
        asked.add("udp " + query.questions().get(0).name() + " " + query.questions().get(0).type());
        byte[] encoded = whole.encode();
        int limit = query.additionals().stream().filter(r -> r.type() == DnsMessage.OPT)
            .mapToInt(r -> Math.max(UDP_MIN, r.dnsClass())).findFirst().orElse(UDP_MIN);
        if (encoded.length <= limit) {
            return encoded;
        }
        return new DnsMessage(whole.id(), whole.flags() | DnsMessage.TC, whole.questions(), List.of(), List.of(),
            List.of()).encode();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                byte[] reply;
                try {
                    reply = answerUdp(Arrays.copyOf(packet.getData(), packet.getLength()));
                } catch (IllegalArgumentException e) {
                    continue; // not a DNS message: nothing to answer
                }
                if (reply != null) {
                    udp.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                // closed, or one send failed: the loop condition decides
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket socket = tcp.accept();
                connections.add(socket);
                Thread.ofPlatform().daemon().name("upstream-dns-tcp-conn").start(() -> serveConnection(socket));
            } catch (IOException e) {
                // closed: the loop ends
            }
        }
    }

    /** RFC 1035 §4.2.2: each message behind a 2-byte length; several queries may share a connection. */
    private void serveConnection(Socket socket) {
        try (socket; DataInputStream in = new DataInputStream(socket.getInputStream());
             DataOutputStream out = new DataOutputStream(socket.getOutputStream())) {
            while (true) {
                byte[] raw = new byte[in.readUnsignedShort()];
                in.readFully(raw);
                DnsMessage query = DnsMessage.parse(raw);
                DnsMessage answer = answer(query);
                if (answer == null) {
                    return;
                }
                asked.add("tcp " + query.questions().get(0).name() + " " + query.questions().get(0).type());
                byte[] encoded = answer.encode();
                out.writeShort(encoded.length);
                out.write(encoded);
                out.flush();
            }
        } catch (EOFException | SocketException e) {
            // the client closed, or we are closing
        } catch (IOException | IllegalArgumentException e) {
            // a broken message ends the connection
        } finally {
            connections.remove(socket);
        }
    }

    /** Stops serving: from now on the port refuses (ICMP port unreachable for UDP, RST for TCP). */
    @Override
    public void close() throws InterruptedException {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            // already closed
        }
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }
        for (Thread thread : threads) {
            thread.join(5000);
        }
    }
}
