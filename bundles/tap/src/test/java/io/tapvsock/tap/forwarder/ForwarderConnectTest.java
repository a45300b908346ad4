package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.tap.Ethtool;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gvforwarder's {@code -url unix:///path}: the forwarder as a separate process in a test namespace, against a
 * scripted gvproxy API endpoint on a unix socket. Each connection starts with gvforwarder's POST /connect head,
 * byte for byte, and no answer; then frames go both ways with hyperkit framing (no vnet hello, no virtio-net
 * header on the TAP); a dropped connection or a broken length brings a new connection with a new head.
 */
class ForwarderConnectTest extends ForwarderFixture {

    private static final String GO_CONNECT_HEAD =
            "POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n";

    ForwarderConnectTest() {
        super(Framing.HYPERKIT);
    }

    @BeforeEach
    void start() throws Exception {
        open("api.sock", "busybox");
    }

    @Test
    void postConnectHead_thenHyperkitFramesBothWays_reconnectsWithANewHead() throws Exception {
        startTapForwarder("unix://" + socket, "-dhcp=false");
        SocketChannel connection = acceptWithHead();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 1500") && link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);
        assertEquals(0, Ethtool.value(namespace.path(), "tap0", Ethtool.ETHTOOL_GTSO),
                "no vnet mode on gvforwarder's URL forms");

        pingPeer();
        // Everything after the head is hyperkit-framed Ethernet: a QEMU-framed hello would read as length 0.
        answerArpRequest(connection);

        // The server drops the connection: a new one, with the head again.
        connection.close();
        connection = acceptWithHead();
        awaitFrameFromGuest(connection);

        // A length of 0 breaks the framing: the forwarder hangs up and comes back.
        writeFully(connection, ByteBuffer.wrap(new byte[] {0, 0}));
        assertEndOfStream(connection);
        connection.close();
        connection = acceptWithHead();
        awaitFrameFromGuest(connection);

        String output = stopForwarderCleanly();
        assertTrue(output.contains("framing error: frame length 0 (accepted: 1..65535)"), output);
        assertTrue(output.contains("reconnected to unix://"), output);
        connection.close();
    }

    /** Accepts the forwarder's next connection and checks its first bytes are gvforwarder's head. */
    private SocketChannel acceptWithHead() throws Exception {
        SocketChannel connection = accept();
        byte[] head = readExactly(connection, GO_CONNECT_HEAD.length());
        assertEquals(GO_CONNECT_HEAD, new String(head, StandardCharsets.US_ASCII));
        return connection;
    }
}
