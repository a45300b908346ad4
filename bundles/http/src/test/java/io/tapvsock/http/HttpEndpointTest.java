package io.tapvsock.http;

import io.tapvsock.api.ListenAddress;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ApiResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real Jetty endpoint over a unix socket in a temp dir and over tcp on 127.0.0.1, with test routes. */
@Timeout(60)
class HttpEndpointTest {

    @TempDir
    Path dir;

    private final RouteTable routes = new RouteTable();
    private final List<HttpEndpoint> endpoints = new ArrayList<>();

    @BeforeEach
    void routes() {
        routes.add(1, "/hello", request -> ApiResponse.json("{\"hello\":\"world\"}"));
        routes.add(2, "/echo", request -> ApiResponse.text(200, request.method() + " " + request.path()
                + " name=" + request.queryParameter("name") + " x=" + request.query().get("x")
                + " remote=[" + request.remoteAddress() + "] body=" + request.bodyText()));
        routes.add(3, "/bad", request -> {
            throw new IllegalArgumentException("no such zone");
        });
        routes.add(4, "/broken", request -> {
            throw new IllegalStateException("proxy already running");
        });
    }

    @AfterEach
    void tearDown() {
        endpoints.forEach(HttpEndpoint::close);
    }

    private HttpEndpoint start(String url) throws IOException {
        HttpEndpoint endpoint = new HttpEndpoint(ListenAddress.parse(url), routes);
        endpoints.add(endpoint);
        endpoint.start();
        return endpoint;
    }

    private UnixDomainSocketAddress startUnix() throws IOException {
        Path path = dir.resolve("api.sock");
        start("unix://" + path);
        return UnixDomainSocketAddress.of(path);
    }

    @Test
    void unix_get_of_a_route() throws Exception {
        RawHttpClient.Reply reply = RawHttpClient.get(startUnix(), "/hello");
        assertEquals(200, reply.status());
        assertEquals("application/json", reply.headers().get("content-type"));
        assertEquals("{\"hello\":\"world\"}", reply.body());
    }

    @Test
    void unix_request_carries_method_decoded_query_body_and_no_remote_address() throws Exception {
        RawHttpClient.Reply reply = RawHttpClient.request(startUnix(), "POST", "/echo?name=a%20b&x=1&x=2",
                "{\"local\":\":8080\"}".getBytes());
        assertEquals(200, reply.status());
        assertEquals("POST /echo name=a b x=[1, 2] remote=[] body={\"local\":\":8080\"}", reply.body());
    }

    @Test
    void unix_unknown_path_is_404() throws Exception {
        UnixDomainSocketAddress address = startUnix();
        assertEquals(404, RawHttpClient.get(address, "/nope").status());
        assertEquals(404, RawHttpClient.get(address, "/hello/").status(), "paths match exactly");
    }

    @Test
    void unix_illegal_argument_is_400_and_other_exceptions_500_with_the_message() throws Exception {
        UnixDomainSocketAddress address = startUnix();
        RawHttpClient.Reply bad = RawHttpClient.get(address, "/bad");
        assertEquals(400, bad.status());
        assertEquals("no such zone", bad.body());
        assertTrue(bad.headers().get("content-type").startsWith("text/plain"));
        RawHttpClient.Reply broken = RawHttpClient.get(address, "/broken");
        assertEquals(500, broken.status());
        assertEquals("proxy already running", broken.body());
    }

    @Test
    void body_over_one_mebibyte_is_413() throws Exception {
        UnixDomainSocketAddress address = startUnix();
        byte[] limit = new byte[ApiHandler.MAX_BODY_BYTES];
        java.util.Arrays.fill(limit, (byte) 'a');
        RawHttpClient.Reply fits = RawHttpClient.request(address, "POST", "/echo", limit);
        assertEquals(200, fits.status());
        assertTrue(fits.body().endsWith("body=" + "a".repeat(ApiHandler.MAX_BODY_BYTES)));
        assertEquals(413, RawHttpClient.headOnly(address, "POST", "/echo", ApiHandler.MAX_BODY_BYTES + 1).status());
    }

    @Test
    void unix_socket_file_is_0600_and_removed_on_close() throws Exception {
        startUnix();
        Path path = dir.resolve("api.sock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        endpoints.getFirst().close();
        assertFalse(Files.exists(path));
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "no staging directory left behind");
        }
    }

    @Test
    void stale_socket_file_is_replaced() throws Exception {
        Path path = dir.resolve("api.sock");
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(path));
        }
        assertTrue(Files.exists(path), "closing a JDK unix server leaves its file: a stale socket");
        start("unix://" + path);
        assertEquals(200, RawHttpClient.get(UnixDomainSocketAddress.of(path), "/hello").status());
    }

    @Test
    void live_socket_file_is_refused() throws Exception {
        Path path = dir.resolve("api.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            IOException refused = assertThrows(IOException.class, () -> start("unix://" + path));
            assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
            assertTrue(Files.exists(path), "the other server's socket is left alone");
        }
    }

    @Test
    void regular_file_in_the_way_is_refused() throws Exception {
        Path path = dir.resolve("api.sock");
        Files.writeString(path, "not a socket");
        IOException refused = assertThrows(IOException.class, () -> start("unix://" + path));
        assertTrue(refused.getMessage().contains("not a socket"), refused.getMessage());
        assertEquals("not a socket", Files.readString(path));
    }

    @Test
    void tcp_on_loopback() throws Exception {
        HttpEndpoint endpoint = start("tcp://127.0.0.1:0");
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", endpoint.localPort());
        assertEquals("{\"hello\":\"world\"}", RawHttpClient.get(address, "/hello").body());
        assertEquals("GET /echo name=null x=null remote=[127.0.0.1] body=", RawHttpClient.get(address, "/echo").body());
        assertEquals(404, RawHttpClient.get(address, "/missing").status());
        assertEquals(500, RawHttpClient.get(address, "/broken").status());
    }

    @Test
    void tcp_port_in_use_is_refused_naming_the_address() throws Exception {
        HttpEndpoint first = start("tcp://127.0.0.1:0");
        String url = "tcp://127.0.0.1:" + first.localPort();
        IOException refused = assertThrows(IOException.class, () -> start(url));
        assertTrue(refused.getMessage().contains(url), refused.getMessage());
        assertEquals(200, RawHttpClient.get(new InetSocketAddress("127.0.0.1", first.localPort()), "/hello").status());
    }

    @Test
    void routes_added_while_running_are_served() throws Exception {
        UnixDomainSocketAddress address = startUnix();
        assertEquals(404, RawHttpClient.get(address, "/late").status());
        routes.add(9, "/late", request -> ApiResponse.text(200, "here"));
        assertEquals("here", RawHttpClient.get(address, "/late").body());
        routes.remove(9);
        assertEquals(404, RawHttpClient.get(address, "/late").status());
    }
}
