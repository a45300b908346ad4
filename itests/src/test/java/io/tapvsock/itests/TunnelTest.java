package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's {@code POST /tunnel} with the whole daemon and a kernel guest (a namespace behind the qemu
 * transport): upstream's acceptance check (an HTTP server in the guest answers a GET sent through the tunnel),
 * a few MiB each way byte-exact with half-close both ways, and the errors: a bad ip or port 500, a closed guest
 * port 502, each with its reason, all counted in /stats.
 */
class TunnelTest {

    private static final int BYTES = 4 << 20;

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void httpThroughTheTunnel_bytesBothWaysWithHalfClose_errors() throws Exception {
        Daemon daemon = harness.daemon(Require.dist(), List.of("-mtu", "1500"));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), daemon.home(), daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        // An HTTP server on 8080, and on 9000 an echo that ends its side once the client ended its own.
        Proc.Result servers = guest.sh(Duration.ofSeconds(10), """
                nohup python3 -m http.server 8080 --bind %s >/dev/null 2>&1 &
                nohup python3 -c '
                import socket, threading
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 9000))
                s.listen(8)
                def echo(c):
                    while True:
                        d = c.recv(65536)
                        if not d:
                            break
                        c.sendall(d)
                    c.shutdown(socket.SHUT_WR)
                    c.close()
                while True:
                    c, peer = s.accept()
                    threading.Thread(target=echo, args=(c,)).start()
                ' >/dev/null 2>&1 &
                sleep 1
                """.formatted(GUEST_IP));
        assertEquals(0, servers.exit(), servers.describe());

        // Upstream's check, with gvproxy's own client's request (empty Host) and the GET in the same write.
        try (SocketChannel tunnel = open(daemon)) {
            write(tunnel, "POST /tunnel?ip=" + GUEST_IP + "&port=8080 HTTP/1.1\r\nHost: \r\n"
                    + "User-Agent: Go-http-client/1.1\r\n\r\nGET / HTTP/1.0\r\n\r\n");
            InputStream in = Channels.newInputStream(tunnel);
            assertEquals("OK", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(response.startsWith("HTTP/1.0 200 "), response);
        }

        // Over the unix endpoint, whose small socket buffer fills while the client has half-closed: the case
        // ByteRelay's re-registration exists for (Netty's epoll would otherwise end the client's side early).
        try (SocketChannel tunnel = open(daemon)) {
            write(tunnel, "POST /tunnel?ip=" + GUEST_IP + "&port=9000 HTTP/1.1\r\nHost: localhost\r\n\r\n");
            InputStream in = Channels.newInputStream(tunnel);
            assertEquals("OK", new String(in.readNBytes(2), StandardCharsets.US_ASCII));
            byte[] sent = new byte[BYTES];
            new Random(11).nextBytes(sent);
            OutputStream out = Channels.newOutputStream(tunnel);
            ExecutorService thread = Executors.newSingleThreadExecutor();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int offset = 0; offset < BYTES; offset += 65536) {
                        out.write(sent, offset, Math.min(65536, BYTES - offset));
                    }
                    tunnel.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, thread);
            thread.shutdown();
            byte[] received = in.readAllBytes(); // to the guest's end, which comes after the client's
            writer.get(60, TimeUnit.SECONDS);
            assertEquals(BYTES, received.length);
            assertArrayEquals(sent, received);
        }

        ApiClient api = daemon.api();
        ApiClient.Response noIp = api.request("POST", "/tunnel?port=8080", null);
        assertEquals(500, noIp.status(), noIp.body());
        assertEquals("ip is mandatory", noIp.body().trim());
        ApiClient.Response badPort = api.request("POST", "/tunnel?ip=" + GUEST_IP + "&port=http", null);
        assertEquals(500, badPort.status(), badPort.body());
        assertTrue(badPort.body().contains("port must be a number 1..65535"), badPort.body());
        ApiClient.Response outside = api.request("POST", "/tunnel?ip=127.0.0.1&port=80", null);
        assertEquals(500, outside.status(), outside.body());
        assertTrue(outside.body().contains("outside the virtual network"), outside.body());
        ApiClient.Response closed = api.request("POST", "/tunnel?ip=" + GUEST_IP + "&port=9999", null);
        assertEquals(502, closed.status(), closed.body());
        assertTrue(closed.body().contains("cannot reach " + GUEST_IP + ":9999"), closed.body());

        JsonNode stats = api.getJson("/stats").path("service-tunnel");
        assertEquals(2, stats.path("opened").asInt(), stats.toString());
        assertEquals(4, stats.path("failed").asInt(), stats.toString());
        assertEquals(1, stats.path("refused").asInt(), stats.toString());
        assertTrue(stats.path("bytesToGuest").asLong() >= BYTES, stats.toString());
    }

    private static SocketChannel open(Daemon daemon) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(daemon.apiSocket()));
        return channel;
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        Channels.newOutputStream(channel).write(text.getBytes(StandardCharsets.ISO_8859_1));
    }
}
