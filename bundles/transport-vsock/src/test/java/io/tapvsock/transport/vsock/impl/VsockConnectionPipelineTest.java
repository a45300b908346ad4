package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.transport.common.LinkCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline the vsock endpoint puts on each accepted connection, on the real stack, with a unix socket in
 * place of AF_VSOCK (testing.md: never connect to a context ID): POST /connect becomes a frame stream, any other
 * request is relayed byte for byte to the API socket and its answer relayed back.
 */
@Timeout(60)
class VsockConnectionPipelineTest {

    @TempDir
    Path dir;

    private RealStack stack;
    private final LinkCounters counters = VsockTransportStatus.newCounters();
    private Path apiSocket;
    private VsockStandIn server;
    private Path endpoint;

    @BeforeEach
    void setUp() throws Exception {
        stack = new RealStack();
        apiSocket = dir.resolve("api.sock");
        endpoint = dir.resolve("vsock-stand-in.sock");
        VsockListener listener = new VsockListener(stack.network, "vsock://:1024", counters, () -> apiSocket);
        server = new VsockStandIn(stack, listener, endpoint);
    }

    @AfterEach
    void tearDown() throws Exception {
        server.close();
        stack.close();
    }

    /**
     * A stand-in for the http bundle's API socket: accepts one connection, reads it while {@code enough} says
     * the request is incomplete (null), answers what {@code enough} returns, and closes.
     *
     * @return what the API received
     */
    private CompletableFuture<byte[]> api(Function<byte[], byte[]> enough) throws IOException {
        ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listening.bind(UnixDomainSocketAddress.of(apiSocket));
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (listening; SocketChannel connection = listening.accept()) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(65536);
                byte[] answer = enough.apply(new byte[0]);
                while (answer == null) {
                    int n = connection.read(buffer.clear());
                    all.write(buffer.array(), 0, Math.max(n, 0));
                    answer = enough.apply(n < 0 ? null : all.toByteArray());
                }
                writeAll(connection, answer);
                received.complete(all.toByteArray());
            } catch (IOException | RuntimeException e) {
                received.completeExceptionally(e);
            }
        });
        return received;
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static byte[] readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        int n;
        while ((n = channel.read(buffer.clear())) >= 0) {
            all.write(buffer.array(), 0, n);
        }
        return all.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Test
    void anApiRequest_inPieces_isRelayed_andTheAnswerComesBack_thenTheConnectionCloses() throws Exception {
        String request = "GET /stats HTTP/1.1\r\nHost: \r\n\r\n";
        String response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
        CompletableFuture<byte[]> received = api(bytes -> bytes != null && text(bytes).endsWith("\r\n\r\n")
                ? ascii(response) : null);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(endpoint))) {
            writeAll(client, ascii(request.substring(0, 3)));
            writeAll(client, ascii(request.substring(3)));
            assertEquals(response, text(readToEnd(client)), "the API's answer, then the end of the connection");
        }
        assertEquals(request, text(received.get(10, TimeUnit.SECONDS)));
        assertEquals(1, counters.get(VsockTransportStatus.API_CONNECTIONS));
    }

    @Test
    void theClientsHalfClose_reachesTheApi_whichStillAnswers_evenAfterAMegabyte() throws Exception {
        byte[] body = new byte[1 << 20];
        Arrays.fill(body, (byte) 'x');
        byte[] head = ascii("POST /services/dns/add HTTP/1.1\r\nHost: \r\nContent-Length: " + body.length + "\r\n\r\n");
        // The API reads to the end of its input, then echoes everything it got.
        CompletableFuture<byte[]> received = api(bytes -> bytes == null ? ascii("echo:") : null);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(endpoint))) {
            writeAll(client, head);
            writeAll(client, body);
            client.shutdownOutput();
            assertEquals("echo:", text(readToEnd(client)));
        }
        byte[] got = received.get(10, TimeUnit.SECONDS);
        assertEquals(head.length + body.length, got.length);
        assertArrayEquals(head, Arrays.copyOf(got, head.length));
    }

    @Test
    void anUnreachableApi_getsA502_andIsCounted() throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(endpoint))) {
            writeAll(client, ascii("GET /cam HTTP/1.1\r\nHost: \r\n\r\n"));
            String answer = text(readToEnd(client));
            assertTrue(answer.startsWith("HTTP/1.1 502 Bad Gateway"), answer);
            assertTrue(answer.contains(apiSocket.toString()), answer);
        }
        assertEquals(Map.of("unreachable", 1L), counters.snapshot().get(VsockTransportStatus.API_FAILURES));
    }

    @Test
    void postConnect_becomesAFrameStreamOnTheSwitch() throws Exception {
        try (HyperkitClient guest = HyperkitClient.connect(endpoint)) {
            guest.write(ascii("POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\n"
                    + "Content-Length: 0\r\n\r\n"));
            guest.send(GuestFrames.arpRequestForGateway(RealStack.GUEST_MAC, 2));
            assertEquals(2, guest.receive(RealStack.GUEST_MAC, 0x0806)[21], "ARP reply from the gateway");
        }
        assertEquals(1, counters.get(VsockTransportStatus.CONNECTED_STREAMS));
        assertEquals(0, counters.get(VsockTransportStatus.API_CONNECTIONS));
    }
}
