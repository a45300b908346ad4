package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.tap.ArpFrames;
import io.tapvsock.tap.Ethtool;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.VnetHello;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder's vnet-mode handshake, as a separate process in a test namespace against a scripted daemon on a
 * unix socket: the hello comes first, an answer switches the TAP's offload features on and the records to
 * header + frame (after a confirmation), a reconnect starts over in plain mode, no answer keeps plain mode, and
 * -offload=false sends no hello at all.
 */
class ForwarderVnetTest extends ForwarderFixture {

    private static final byte[] DAEMON_MAC = TapConfig.parseMac("5a:94:ef:e4:0c:dd");
    private static final byte[] EMPTY_HEADER = new byte[10];

    ForwarderVnetTest() {
        super(Framing.QEMU);
    }

    @BeforeEach
    void start() throws Exception {
        open("qemu.sock", "busybox"); // ping
    }

    @Test
    void answer_switchesToVnetMode_andAReconnectStartsOverPlain() throws Exception {
        startTapForwarder("qemu+unix://" + socket, "-dhcp=false");
        SocketChannel connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection), "the hello comes first");
        assertEquals(0, tso(), "plain mode: no offload features");

        writeFrame(connection, VnetHello.to(GUEST_MAC, DAEMON_MAC));
        awaitTso(1);
        assertEquals(1, Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTXCSUM));

        pingPeer();
        // Plain frames the guest sent before the forwarder read the answer may come first (IPv6 chatter).
        byte[] confirmation = VnetHello.to(DAEMON_MAC, GUEST_MAC);
        byte[] plain;
        do {
            plain = readFrame(connection);
        } while (!Arrays.equals(confirmation, plain));
        byte[] record;
        do {
            record = readFrame(connection);
        } while (!ArpFrames.isRequestFor(ByteBuffer.wrap(record), 10, record.length - 10, PEER_IP));
        assertArrayEquals(EMPTY_HEADER, Arrays.copyOf(record, 10), "an ARP request has nothing to offload");

        // A record toward the guest: header + frame, one TAP write; the reply lands in the neighbour table.
        writeFrame(connection, concat(EMPTY_HEADER, ArpFrames.reply(PEER_MAC, PEER_IP, GUEST_MAC, GUEST_IP)));
        awaitPeerInNeighbourTable();

        // The daemon goes away: the new connection starts plain, features off, with a new hello.
        connection.close();
        connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection));
        assertEquals(0, tso());
        connection.close();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(output.contains("checksum and TSO4 offload on for tap0"), output);
    }

    @Test
    void noAnswer_staysPlain() throws Exception {
        startTapForwarder("qemu+unix://" + socket, "-dhcp=false");
        SocketChannel connection = accept();
        assertArrayEquals(VnetHello.request(GUEST_MAC), readFrame(connection));
        pingPeer();
        answerArpRequest(connection); // no header in front
        assertEquals(0, tso());
        connection.close();
    }

    @Test
    void offloadFalse_sendsNoHello_andTheTapHasNoHeader() throws Exception {
        startTapForwarder("qemu+unix://" + socket, "-dhcp=false", "-offload=false");
        SocketChannel connection = accept();
        pingPeer();
        byte[] first = readFrame(connection);
        ByteBuffer view = ByteBuffer.wrap(first);
        assertFalse(VnetHello.isHello(view, 0, first.length), "no hello");
        byte[] source = Arrays.copyOfRange(first, 6, 12);
        assertArrayEquals(GUEST_MAC, source, "a plain frame from the guest");
        assertEquals(0, tso());
        connection.close();
    }

    private int tso() throws IOException {
        return Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTSO);
    }

    /** The forwarder turns the features on once it has read the answer: poll the kernel's view for a while. */
    private void awaitTso(int expected) throws Exception {
        for (int attempt = 0; attempt < 100 && tso() != expected; attempt++) {
            Thread.sleep(100);
        }
        assertEquals(expected, tso(), "ETHTOOL_GTSO; forwarder log:\n" + Files.readString(log));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
