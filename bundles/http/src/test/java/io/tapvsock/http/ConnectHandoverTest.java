package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.api.ListenAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /connect on a real Jetty endpoint, unix and tcp: the socket itself reaches the FrameStreams service
 * (tested here with raw read/write on the fd it gets), with the bytes that came with the head, and no HTTP
 * response is ever written; other requests on the same endpoint are still HTTP.
 */
@Timeout(60)
class ConnectHandoverTest {

    /** gvforwarder's request, byte for byte: empty Host header, Content-Length 0. */
    private static final String REQUEST = "POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n";

    @TempDir
    Path dir;

    private record Adopted(int fd, boolean unixDomain, String alreadyRead, String description) {
    }

    private final BlockingQueue<Adopted> adopted = new LinkedBlockingQueue<>();
    private final ServiceHolder<FrameStreams> holder = new ServiceHolder<>();
    private final RouteTable routes = new RouteTable();
    private HttpEndpoint endpoint;

    private final FrameStreams recorder = (fd, unixDomain, alreadyRead, description) -> {
        try {
            adopted.add(new Adopted(fd, unixDomain, alreadyRead.toString(StandardCharsets.ISO_8859_1), description));
        } finally {
            alreadyRead.release();
        }
    };

    @AfterEach
    void tearDown() throws Throwable {
        if (endpoint != null) {
            endpoint.close();
        }
        for (Adopted a : adopted) {
            RawFd.close(a.fd());
        }
    }

    private void start(String url) throws IOException {
        routes.add(1, "/hello", request -> ApiResponse.json("{\"hello\":\"world\"}"));
        endpoint = new HttpEndpoint(ListenAddress.parse(url), routes, List.of(new ConnectKind(holder)));
        endpoint.start();
    }

    @Test
    void unixClient_becomesAFrameStreamWithTheBytesThatCameWithTheHead() throws Throwable {
        holder.set(recorder);
        Path socket = dir.resolve("api.sock");
        start("unix://" + socket);
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            exchange(Channels.newInputStream(client), Channels.newOutputStream(client), true);
        }
    }

    @Test
    void tcpClient_too() throws Throwable {
        holder.set(recorder);
        start("tcp://127.0.0.1:0");
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", endpoint.localPort()));
            exchange(client.getInputStream(), client.getOutputStream(), false);
        }
    }

    /** Head and first frame in one write; then bytes both ways through the adopted fd; never an HTTP reply. */
    private void exchange(InputStream in, OutputStream out, boolean unix) throws Throwable {
        out.write((REQUEST + "\u0005\u0000hello").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Adopted stream = adopted.poll(10, TimeUnit.SECONDS);
        assertTrue(stream != null, "the socket was not handed over");
        assertEquals("\u0005\u0000hello", stream.alreadyRead());
        assertEquals(unix, stream.unixDomain());
        assertTrue(stream.description().startsWith("connect "), stream.description());

        RawFd.write(stream.fd(), "\u0004\u0000pong");
        assertEquals("\u0004\u0000pong", new String(in.readNBytes(6), StandardCharsets.ISO_8859_1),
                "the first bytes the client sees are frames, not an HTTP response");
        out.write("\u0004\u0000more".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        assertEquals("\u0004\u0000more", RawFd.readExactly(stream.fd(), 6));
    }

    @Test
    void otherRequestsOnTheSameEndpointAreStillHttp() throws Throwable {
        holder.set(recorder);
        start("tcp://127.0.0.1:0");
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", endpoint.localPort()));
            client.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200"), response);
            assertTrue(response.contains("\"hello\":\"world\""), response);
        }
        assertTrue(adopted.isEmpty());
    }

    @Test
    void aBodyOrNoTransport_closesTheConnectionWithoutHandingItOver() throws Throwable {
        start("tcp://127.0.0.1:0");
        // No FrameStreams service yet.
        assertClosedWithoutAnswer(REQUEST);
        holder.set(recorder);
        assertClosedWithoutAnswer("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 3\r\n\r\nabc");
        assertClosedWithoutAnswer("POST /connect HTTP/1.1\r\n" + "X: " + "y".repeat(9000) + "\r\n\r\n");
        assertTrue(adopted.isEmpty());
    }

    private void assertClosedWithoutAnswer(String request) throws IOException {
        try (Socket client = new Socket()) {
            client.connect(new InetSocketAddress("127.0.0.1", endpoint.localPort()));
            client.setSoTimeout(10_000);
            client.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            assertEquals(-1, client.getInputStream().read(), "closed, nothing written");
        }
    }
}
