package io.tapvsock.transport.vsock.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.transport.common.LinkCounters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * API requests on the vsock pipeline, relayed to a real Jetty on a unix socket as the http bundle's API relay
 * target runs it: keep-alive requests, a closing one, and a client that shuts its output after its request.
 */
@Timeout(60)
class ApiRelayJettyTest {

    @TempDir
    Path dir;

    private RealStack stack;
    private Server jetty;
    private VsockStandIn endpoint;
    private Path endpointSocket;
    private final LinkCounters counters = VsockTransportStatus.newCounters();

    @BeforeEach
    void setUp() throws Exception {
        stack = new RealStack();
        Path apiSocket = dir.resolve("api.sock");
        jetty = new Server();
        UnixDomainServerConnector connector = new UnixDomainServerConnector(jetty);
        connector.setUnixDomainPath(apiSocket);
        jetty.addConnector(connector);
        jetty.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                byte[] answer = (request.getMethod() + " " + Request.getPathInContext(request) + " body=" + body)
                        .getBytes(StandardCharsets.UTF_8);
                response.getHeaders().put(HttpHeader.CONTENT_LENGTH, answer.length);
                response.write(true, ByteBuffer.wrap(answer), callback);
                return true;
            }
        });
        jetty.start();
        endpointSocket = dir.resolve("vsock-stand-in.sock");
        endpoint = new VsockStandIn(stack, new VsockListener(stack.network, "vsock://:1024", counters,
                () -> apiSocket), endpointSocket);
    }

    @AfterEach
    void tearDown() throws Exception {
        endpoint.close();
        jetty.stop();
        stack.close();
    }

    private static void write(SocketChannel channel, String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static String readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        int n;
        while ((n = channel.read(buffer.clear())) >= 0) {
            all.write(buffer.array(), 0, n);
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void keepAliveRequests_thenAClosingOne_areAllAnswered() throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(endpointSocket))) {
            write(client, "GET /stats HTTP/1.1\r\nHost: vsock\r\n\r\n"
                    + "POST /services/dns/add HTTP/1.1\r\nHost: vsock\r\nContent-Length: 2\r\n\r\n{}");
            write(client, "GET /cam HTTP/1.1\r\nHost: vsock\r\nConnection: close\r\n\r\n");
            String answers = readToEnd(client);
            assertTrue(answers.contains("GET /stats body="), answers);
            assertTrue(answers.contains("POST /services/dns/add body={}"), answers);
            assertTrue(answers.endsWith("GET /cam body="), answers);
            assertEquals(3, answers.split("HTTP/1.1 200 OK", -1).length - 1, answers);
        }
        assertEquals(1, counters.get(VsockTransportStatus.API_CONNECTIONS));
    }

    @Test
    void aClientThatShutsItsOutputAfterTheRequest_stillGetsTheAnswer() throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(endpointSocket))) {
            write(client, "POST /services/forwarder/expose HTTP/1.1\r\nHost: vsock\r\nContent-Length: 5\r\n\r\nhello");
            client.shutdownOutput();
            String answer = readToEnd(client);
            assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
            assertTrue(answer.endsWith("POST /services/forwarder/expose body=hello"), answer);
        }
    }
}
