package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.tap.ArpFrames;
import io.tapvsock.tap.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder as a separate process inside a test namespace, against a test server on a unix socket that
 * speaks the qemu framing: the kernel's ARP requests arrive framed, an ARP reply sent back reaches the kernel,
 * and the forwarder reconnects after the server drops the connection or breaks the framing.
 */
class ForwarderRelayTest extends ForwarderFixture {

    ForwarderRelayTest() {
        super(Framing.QEMU);
    }

    @BeforeEach
    void start() throws Exception {
        open("qemu.sock", "busybox"); // ping, udhcpc
    }

    @Test
    void relaysBothWays_reconnects_andExits0OnSigterm() throws Exception {
        startTapForwarder("qemu+unix://" + socket, "-dhcp=false");
        SocketChannel connection = accept();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 1500"), link);
        assertTrue(link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);
        assertTrue(Pattern.compile("[<,]UP[,>]").matcher(link).find(), link);

        // Host side of the TAP: the kernel's ARP request arrives with the qemu framing; our reply goes back.
        pingPeer();
        answerArpRequest(connection);

        // The server drops the connection: the forwarder keeps the TAP and comes back.
        connection.close();
        connection = accept();
        awaitFrameFromGuest(connection);

        // A length prefix of 0 breaks the framing: the forwarder hangs up, then reconnects.
        writeFully(connection, ByteBuffer.wrap(new byte[] {0, 0, 0, 0}));
        assertEndOfStream(connection);
        connection.close();
        connection = accept();
        awaitFrameFromGuest(connection);
        assertTrue(namespace.ip("link", "show", "tap0").contains("tap0"));

        String output = stopForwarderCleanly();
        assertTrue(output.contains("connection to qemu+unix://"), output);
        assertTrue(output.contains(" lost: ") && output.contains("; reconnecting every second"), output);
        assertTrue(output.contains("framing error: frame length 0"), output);
        assertTrue(output.contains("reconnected to qemu+unix://"), output);
        connection.close();
    }

    @Test
    void dhcpByDefault_runsClientOnceConnected_whoseDiscoverArrivesFramed() throws Exception {
        startTapForwarder("qemu+unix://" + socket);
        SocketChannel connection = accept();
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        int length;
        do {
            length = readFrame(connection, frame);
        } while (!isDhcpRequest(frame, length));
        byte[] source = new byte[6];
        frame.get(6, source);
        assertArrayEquals(GUEST_MAC, source);
        connection.close();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("udhcpc -f -q -i tap0"), output);
    }

    @Test
    void aServerThatStopsReading_stallsOnlyThatDirection_andEveryFrameItTakesLaterIsWhole() throws Exception {
        startTapForwarder("qemu+unix://" + socket, "-dhcp=false");
        SocketChannel connection = accept();
        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.ip("neigh", "add", "10.99.0.9", "lladdr", "02:00:00:00:00:09", "dev", "tap0");
        awaitRelaying(connection);

        // The guest sends megabytes to a neighbour it knows while the server reads nothing: the socket fills up,
        // and the forwarder is left holding a frame it could write only part of.
        int datagrams = 3000;
        NetworkNamespace.call(namespace.path(), () -> {
            try (DatagramChannel udp = DatagramChannel.open()) {
                ByteBuffer payload = ByteBuffer.allocate(1400);
                for (int i = 0; i < datagrams; i++) {
                    udp.send(payload.clear(), new InetSocketAddress("10.99.0.9", 9));
                }
            }
            return null;
        });

        // The other direction still flows: the guest's ARP request for the peer is stuck behind the backlog,
        // but our reply to it (sent until it shows) reaches the kernel.
        namespace.startInside("busybox", "ping", "-c", "60", "10.99.0.2");
        String neighbour = "";
        for (int attempt = 0; attempt < 100 && !neighbour.contains("lladdr 02:00:00:00:00:02"); attempt++) {
            writeFrame(connection, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP));
            Thread.sleep(100);
            neighbour = namespace.ip("neigh", "show", "10.99.0.2");
        }
        assertTrue(neighbour.contains("lladdr 02:00:00:00:00:02"), neighbour);

        // Reading again: every frame whole and the guest's, the backlog first, then the pings to the peer.
        ByteBuffer frame = ByteBuffer.allocate(FrameRelay.MAX_FRAME);
        byte[] source = new byte[6];
        byte[] destination = new byte[6];
        int toNeighbour = 0;
        while (true) {
            readFrame(connection, frame);
            frame.get(6, source);
            assertArrayEquals(GUEST_MAC, source, "each frame starts where the previous one ended");
            frame.get(0, destination);
            if (Arrays.equals(destination, PEER_MAC) && frame.getShort(12) == 0x0800) {
                break; // an echo request to the peer: the TAP is read again
            }
            if (destination[5] == 9) {
                toNeighbour++;
            }
        }
        assertTrue(toNeighbour >= 100, "the socket held the backlog: " + toNeighbour + " frames");
        connection.close();
    }

    /**
     * Returns once a guest frame has come through: the relay drops what the TAP queued before it connected, so a
     * backlog sent earlier (between our accept and its drop) could vanish. One datagram every 100 ms until then.
     */
    private void awaitRelaying(SocketChannel connection) throws Exception {
        AtomicBoolean relaying = new AtomicBoolean();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                NetworkNamespace.call(namespace.path(), () -> {
                    try (DatagramChannel udp = DatagramChannel.open()) {
                        while (!relaying.get()) {
                            udp.send(ByteBuffer.allocate(8), new InetSocketAddress("10.99.0.9", 9));
                            Thread.sleep(100);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return null;
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            readFrame(connection, ByteBuffer.allocate(FrameRelay.MAX_FRAME));
        } finally {
            relaying.set(true);
            sender.join();
        }
    }

    /** IPv4 (no options assumed) UDP to port 67. */
    private static boolean isDhcpRequest(ByteBuffer frame, int length) {
        if (length < 42 || frame.getShort(12) != 0x0800 || frame.get(23) != 17) {
            return false;
        }
        int ipHeader = (frame.get(14) & 0x0f) * 4;
        return frame.getShort(14 + ipHeader + 2) == 67;
    }
}
