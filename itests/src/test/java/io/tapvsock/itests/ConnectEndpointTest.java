package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.Require;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's {@code POST /connect} on the {@code -listen} API socket, as gvforwarder sends it (empty Host header,
 * no response, hyperkit framing: 2-byte little-endian length + frame), with the first frame in the same write
 * as the request head. Two such guests at once: each gets ARP answers from the gateway, and one's broadcast
 * reaches the other through the switch; /cam shows both; /stats counts the streams; the API keeps answering.
 */
class ConnectEndpointTest {

    private static final String REQUEST = "POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n";
    private static final byte[] GUEST_A = Frames.mac("5a:94:ef:e4:0c:a1");
    private static final byte[] GUEST_B = Frames.mac("5a:94:ef:e4:0c:b2");

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void twoConnectStreamsTalkToTheGatewayAndToEachOther() throws IOException {
        Daemon daemon = harness.daemon(Require.dist(), List.of());
        byte[] arpA = Frames.arpRequest(Frames.BROADCAST, GUEST_A, Frames.ipv4("192.168.127.10"),
            Frames.ipv4("192.168.127.1"));
        try (SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(daemon.apiSocket()));
             SocketChannel b = SocketChannel.open(UnixDomainSocketAddress.of(daemon.apiSocket()))) {
            DataInputStream inA = new DataInputStream(Channels.newInputStream(a));
            DataInputStream inB = new DataInputStream(Channels.newInputStream(b));
            // A: head and first frame in one write; the frame must not be lost to the HTTP layer.
            write(a, concat(REQUEST.getBytes(StandardCharsets.US_ASCII), framed(arpA)));
            assertTrue(Frames.isArpReplyTo(readUntil(inA, Frames.ETHERTYPE_ARP), GUEST_A), "gateway answers A");

            write(b, REQUEST.getBytes(StandardCharsets.US_ASCII));
            byte[] arpB = Frames.arpRequest(Frames.BROADCAST, GUEST_B, Frames.ipv4("192.168.127.11"),
                Frames.ipv4("192.168.127.1"));
            write(b, framed(arpB));
            byte[] answerB = readUntil(inB, Frames.ETHERTYPE_ARP);
            assertTrue(Frames.isArpReplyTo(answerB, GUEST_B), "gateway answers B");
            // B's broadcast reached A too (the switch floods broadcasts to every other port).
            byte[] flooded = readUntil(inA, Frames.ETHERTYPE_ARP);
            assertEquals(Frames.sourceMac(arpB), Frames.sourceMac(flooded), "A sees B's broadcast");

            JsonNode cam = daemon.api().getJson("/cam");
            assertTrue(cam.has("5a:94:ef:e4:0c:a1") && cam.has("5a:94:ef:e4:0c:b2"), cam.toString());
            JsonNode stats = daemon.api().getJson("/stats");
            assertEquals(2, stats.path("transport-vsock").path("connectedStreams").asInt(), stats.toString());
        }
    }

    @Test
    void aBodyIsRefused_andTheApiStillAnswers() throws IOException {
        Daemon daemon = harness.daemon(Require.dist(), List.of());
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(daemon.apiSocket()))) {
            write(c, "POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 4\r\n\r\nbody".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, Channels.newInputStream(c).read(), "closed without a response");
        }
        assertTrue(daemon.api().getJson("/stats").has("transport-vsock"));
    }

    private static byte[] framed(byte[] frame) {
        byte[] out = new byte[2 + frame.length];
        out[0] = (byte) frame.length;
        out[1] = (byte) (frame.length >>> 8);
        System.arraycopy(frame, 0, out, 2, frame.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Reads hyperkit frames until one of the given EtherType comes (others, e.g. IPv6, are skipped). */
    private static byte[] readUntil(DataInputStream in, int etherType) throws IOException {
        for (int i = 0; i < 50; i++) {
            int low = in.readUnsignedByte();
            int length = low | in.readUnsignedByte() << 8;
            byte[] frame = in.readNBytes(length);
            if (frame.length < length) {
                throw new EOFException("stream ended inside a frame");
            }
            if (Frames.etherType(frame) == etherType) {
                return frame;
            }
        }
        throw new AssertionError("no frame of EtherType " + Integer.toHexString(etherType) + " in 50");
    }
}
