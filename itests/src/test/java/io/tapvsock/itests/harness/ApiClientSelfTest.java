package io.tapvsock.itests.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The unix-socket HTTP client against a throwaway server: request shape, fixed-length and chunked bodies. */
class ApiClientSelfTest {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void readsContentLengthBodyAndSendsAWellFormedRequest() throws Exception {
        String body = "{\"BytesSent\":12,\"Drops\":{\"short-frame\":1}}";
        String[] request = new String[1];
        Path socket = serveOnce("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length() + "\r\n\r\n" + body, request);
        ApiClient.Response response = new ApiClient(socket).get("/stats");
        assertEquals(200, response.status());
        assertEquals(12, response.json().get("BytesSent").asInt());
        assertEquals(1, response.json().get("Drops").get("short-frame").asInt());
        assertTrue(request[0].startsWith("GET /stats HTTP/1.1\r\n"), request[0]);
        assertTrue(request[0].contains("\r\nHost: "), request[0]);
    }

    @Test
    void readsChunkedBody() throws Exception {
        Path socket = serveOnce("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n", new String[1]);
        ApiClient.Response response = new ApiClient(socket).get("/nope");
        assertEquals(404, response.status());
        assertEquals("hello, world", response.body());
    }

    /** Answers one connection with {@code response} after reading the request head into {@code request[0]}. */
    private Path serveOnce(String response, String[] request) throws IOException {
        Path socket = harness.workDir().resolve("api.sock");
        ServerSocketChannel server = harness.register(ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        server.bind(UnixDomainSocketAddress.of(socket));
        CompletableFuture.runAsync(() -> {
            try (SocketChannel client = server.accept()) {
                StringBuilder head = new StringBuilder();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (!head.toString().contains("\r\n\r\n") && client.read(buffer) >= 0) {
                    head.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
                    buffer.clear();
                }
                request[0] = head.toString();
                client.write(ByteBuffer.wrap(response.getBytes(StandardCharsets.ISO_8859_1)));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, runnable -> Thread.ofVirtual().start(runnable)).orTimeout(30, TimeUnit.SECONDS);
        return socket;
    }
}
