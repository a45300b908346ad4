package io.tapvsock.service.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ApiResponse;
import io.tapvsock.service.forwarder.core.ForwardApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarder's tcp and unix forwards against a real guest ({@link GuestNetwork}). The guest runs a python echo
 * server on 192.168.127.2:8080 that prints each client's address.
 */
class ForwarderNamespaceTest {

    private static final int BYTES = 1 << 20;

    private GuestNetwork guest;
    private TestNamespace namespace;
    private ForwarderComponent forwarder;
    private BufferedReader guestOut;
    private Path tempDir;

    @BeforeEach
    void setUp() throws Exception {
        guest = new GuestNetwork(Map.of());
        namespace = guest.namespace;
        forwarder = guest.forwarder;
        tempDir = Files.createTempDirectory("tvfwd");
        guestOut = guest.startPython("""
                import socket, threading
                server = socket.socket()
                server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                server.bind(('192.168.127.2', 8080))
                server.listen(8)
                print('listening', flush=True)
                def echo(conn):
                    while True:
                        chunk = conn.recv(1 << 16)
                        if not chunk:
                            break
                        conn.sendall(chunk)
                    conn.shutdown(socket.SHUT_WR)
                    conn.close()
                while True:
                    conn, peer = server.accept()
                    print(peer[0], flush=True)
                    threading.Thread(target=echo, args=(conn,)).start()
                """).out();
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            try (var files = Files.list(tempDir)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(tempDir);
        } finally {
            guest.close();
        }
    }

    @Test
    void exposeTcp_byteExactBothWays_guestSeesHostIp_twiceRefused_unexposeRefusesConnections() throws Exception {
        int port = freePort();
        String expose = "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"192.168.127.2:8080\",\"protocol\":\"tcp\"}";
        assertResponse(200, "", api("POST", ForwardApi.EXPOSE, expose));
        assertResponse(500, "proxy already running for tcp on 127.0.0.1:" + port + "\n",
                api("POST", ForwardApi.EXPOSE, expose));

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            echoBothWays(client.getInputStream(), client.getOutputStream(), client::shutdownOutput);
        }
        assertEquals("192.168.127.254", guestOut.readLine(), "a loopback client shows as the host IP");
        assertEquals(1L, forwarder.snapshot().get("connections"));
        assertEquals((long) BYTES, forwarder.snapshot().get("bytesToGuest"));

        assertResponse(200, "", api("POST", ForwardApi.UNEXPOSE, "{\"local\":\"127.0.0.1:" + port + "\"}"));
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertResponse(200, "[]\n", api("GET", ForwardApi.ALL, ""));
    }

    @Test
    void exposeUnix_socketReachesTheGuest() throws Exception {
        Path socket = tempDir.resolve("fwd.sock");
        assertResponse(200, "", api("POST", ForwardApi.EXPOSE, "{\"local\":\"" + socket
                + "\",\"remote\":\"tcp://192.168.127.2:8080\",\"protocol\":\"unix\"}"));

        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            client.connect(UnixDomainSocketAddress.of(socket));
            echoBothWays(Channels.newInputStream(client), Channels.newOutputStream(client), client::shutdownOutput);
        }
        assertEquals("192.168.127.254", guestOut.readLine());

        assertResponse(200, "", api("POST", ForwardApi.UNEXPOSE, "{\"local\":\"" + socket + "\",\"protocol\":\"unix\"}"));
        assertTrue(!Files.exists(socket), "the socket file goes with the forward");
    }

    @Test
    void guestRefuses_clientGetsReset() throws Exception {
        int port = freePort();
        assertResponse(200, "", api("POST", ForwardApi.EXPOSE,
                "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"192.168.127.2:8081\"}"));

        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertThrows(IOException.class, () -> {
                if (client.getInputStream().read() < 0) {
                    throw new IOException("closed without reset");
                }
            });
        }
        assertEquals(1L, forwarder.snapshot().get("refused"));
    }

    @Test
    void inVmApi_guestExposesItself_onGatewayPort80() throws Exception {
        int port = freePort();
        TestNamespace.Result result = namespace.exec("/usr/bin/python3", "-c", """
                import urllib.request
                body = b'{"local":"127.0.0.1:%d","remote":":8080"}\\n'
                print(urllib.request.urlopen('http://192.168.127.1/services/forwarder/expose', body, 10).status)
                print(urllib.request.urlopen('http://192.168.127.1/services/forwarder/all', None, 10).read().decode())
                try:
                    urllib.request.urlopen('http://192.168.127.1/services/forwarder/expose', body, 10)
                except urllib.error.HTTPError as e:
                    print(e.code, e.read().decode().strip())
                try:
                    urllib.request.urlopen('http://192.168.127.1/stats', None, 10)
                except urllib.error.HTTPError as e:
                    print(e.code)
                """.formatted(port));

        assertEquals(0, result.exitCode(), result.output());
        assertEquals("200\n[{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"192.168.127.2:8080\",\"protocol\":\"tcp\"}]\n\n"
                + "500 proxy already running for tcp on 127.0.0.1:" + port + "\n404\n", result.output());
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            echoBothWays(client.getInputStream(), client.getOutputStream(), client::shutdownOutput);
        }
        assertEquals("192.168.127.254", guestOut.readLine());
    }

    private interface Shutdown {
        void run() throws IOException;
    }

    /** Sends BYTES of random data (then half-closes) while reading the echo to EOF; both must match. */
    private static void echoBothWays(InputStream in, OutputStream out, Shutdown shutdownOutput) throws Exception {
        byte[] sent = new byte[BYTES];
        new Random(7).nextBytes(sent);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                for (int offset = 0; offset < BYTES; offset += 8192) {
                    out.write(sent, offset, Math.min(8192, BYTES - offset));
                }
                out.flush();
                shutdownOutput.run();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        byte[] received = in.readAllBytes();
        writer.get(30, TimeUnit.SECONDS);
        assertEquals(BYTES, received.length);
        assertArrayEquals(sent, received);
    }

    private ApiResponse api(String method, String path, String body) {
        return guest.api(method, path, body);
    }

    private static void assertResponse(int status, String body, ApiResponse response) {
        GuestNetwork.assertResponse(status, body, response);
    }

    private static int freePort() throws IOException {
        return GuestNetwork.freeTcpPort();
    }
}
