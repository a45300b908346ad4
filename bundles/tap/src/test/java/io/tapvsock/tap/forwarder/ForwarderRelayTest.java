package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

    /** IPv4 (no options assumed) UDP to port 67. */
    private static boolean isDhcpRequest(ByteBuffer frame, int length) {
        if (length < 42 || frame.getShort(12) != 0x0800 || frame.get(23) != 17) {
            return false;
        }
        int ipHeader = (frame.get(14) & 0x0f) * 4;
        return frame.getShort(14 + ipHeader + 2) == 67;
    }
}
