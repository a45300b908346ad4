package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.FrameStreams;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.TunnelStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * POST /tunnel on a real Jetty endpoint over a unix socket: the socket, the request target and the bytes that
 * came with the head reach the TunnelStreams service (tested with raw read/write on the fd it gets) and the
 * endpoint itself writes nothing; a refused head gets a 400; without the service /tunnel is plain HTTP (404).
 */
@Timeout(60)
class TunnelHandoverTest {

    private static final String TARGET = "/tunnel?ip=192.168.127.2&port=8080";
    /** gvproxy's transport.Tunnel: Go's request, empty Host header. */
    private static final String GO_REQUEST = "POST " + TARGET + " HTTP/1.1\r\nHost: \r\n"
            + "User-Agent: Go-http-client/1.1\r\n\r\n";

    @TempDir
    Path dir;

    private record Adopted(int fd, String target, String alreadyRead, String description) {
    }

    private final BlockingQueue<Adopted> adopted = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> connected = new LinkedBlockingQueue<>();
    private final ServiceHolder<TunnelStreams> tunnels = new ServiceHolder<>();
    private final ServiceHolder<FrameStreams> frameStreams = new ServiceHolder<>();
    private HttpEndpoint endpoint;
    private Path socket;

    private final TunnelStreams recorder = (fd, unixDomain, target, alreadyRead, description) -> {
        try {
            adopted.add(new Adopted(fd, target, alreadyRead.toString(StandardCharsets.ISO_8859_1), description));
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

    private void start() throws IOException {
        socket = dir.resolve("api.sock");
        frameStreams.set((fd, unixDomain, alreadyRead, description) -> {
            alreadyRead.release();
            SocketFds.close(fd);
            connected.add(description);
        });
        endpoint = new HttpEndpoint(ListenAddress.parse("unix://" + socket), new RouteTable(),
                List.of(new ConnectKind(frameStreams), new TunnelKind(tunnels)));
        endpoint.start();
    }

    @Test
    void goClient_socketTargetAndEarlyBytesReachTheService_whichWritesEverything() throws Throwable {
        tunnels.set(recorder);
        start();
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            InputStream in = Channels.newInputStream(client);
            OutputStream out = Channels.newOutputStream(client);
            out.write((GO_REQUEST + "GET / HTTP/1.0\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Adopted tunnel = adopted.poll(10, TimeUnit.SECONDS);
            assertTrue(tunnel != null, "the socket was not handed over");
            assertEquals(TARGET, tunnel.target());
            assertEquals("GET / HTTP/1.0\r\n", tunnel.alreadyRead());
            assertTrue(tunnel.description().startsWith("tunnel unix://"), tunnel.description());

            RawFd.write(tunnel.fd(), "OKfrom-guest");
            assertEquals("OKfrom-guest", new String(in.readNBytes(12), StandardCharsets.ISO_8859_1),
                    "the service's bytes are the first the client sees: no HTTP response from the endpoint");
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertEquals("\r\n", RawFd.readExactly(tunnel.fd(), 2));
        }
        assertTrue(connected.isEmpty(), "/connect's service saw nothing");
    }

    @Test
    void connectAndTunnelOnOneEndpoint_eachReachesItsOwnService() throws Throwable {
        tunnels.set(recorder);
        start();
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            Channels.newOutputStream(client).write("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(connected.poll(10, TimeUnit.SECONDS).startsWith("connect unix://"));
        }
        assertTrue(adopted.isEmpty(), "the tunnel service saw nothing");
    }

    @Test
    void aRefusedHead_gets400WithTheReason_andIsNotHandedOver() throws Throwable {
        tunnels.set(recorder);
        start();
        RawHttpClient.Reply reply = RawHttpClient.headOnly(UnixDomainSocketAddress.of(socket), "POST", TARGET, 5);
        assertEquals(400, reply.status());
        assertTrue(reply.body().contains("body"), reply.body());
        assertTrue(adopted.isEmpty());
    }

    @Test
    void withoutTheService_tunnelIsPlainHttp() throws Throwable {
        start();
        RawHttpClient.Reply reply = RawHttpClient.request(UnixDomainSocketAddress.of(socket), "POST", TARGET, null);
        assertEquals(404, reply.status());
        assertTrue(reply.body().contains("/tunnel"), reply.body());
    }
}
