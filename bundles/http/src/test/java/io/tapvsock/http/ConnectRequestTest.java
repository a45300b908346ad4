package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ConnectRequestTest {

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void detectsTheRequestLineFromItsFirstBytes() {
        assertEquals(ConnectRequest.Detection.CONNECT, ConnectRequest.detect(bytes("POST /connect HTTP/1.1\r\n")));
        assertEquals(ConnectRequest.Detection.CONNECT, ConnectRequest.detect(bytes("POST /connect?x=1 HTTP/1.1")));
        assertEquals(ConnectRequest.Detection.NEED_MORE, ConnectRequest.detect(bytes("POST /con")));
        assertEquals(ConnectRequest.Detection.NEED_MORE, ConnectRequest.detect(bytes("POST /connect")));
        assertEquals(ConnectRequest.Detection.NOT_CONNECT, ConnectRequest.detect(bytes("POST /connection HTTP/1.1")));
        assertEquals(ConnectRequest.Detection.NOT_CONNECT, ConnectRequest.detect(bytes("GET /connect HTTP/1.1")));
        assertEquals(ConnectRequest.Detection.NOT_CONNECT, ConnectRequest.detect(bytes("POST /services/x")));
        ByteBuffer buffer = bytes("POST /connect HTTP/1.1");
        ConnectRequest.detect(buffer);
        assertEquals(0, buffer.position(), "detection does not consume");
    }

    @Test
    void findsTheEndOfTheHead() {
        ByteBuffer buffer = bytes("POST /connect HTTP/1.1\r\nHost: \r\n\r\n\u0005\u0000hello");
        assertEquals(buffer.limit() - 7, ConnectRequest.headEnd(buffer));
        assertEquals(-1, ConnectRequest.headEnd(bytes("POST /connect HTTP/1.1\r\nHost: \r\n")));
    }

    @Test
    void acceptsGvforwardersHead_andRefusesBodiesAndOtherRequests() {
        assertNull(ConnectRequest.problem("POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0"));
        assertNull(ConnectRequest.problem("POST /connect HTTP/1.0"));
        assertTrue(ConnectRequest.problem("POST /connect HTTP/1.1\r\nContent-Length: 5").contains("body"));
        assertTrue(ConnectRequest.problem("POST /connect HTTP/1.1\r\nTransfer-Encoding: chunked").contains("body"));
        assertTrue(ConnectRequest.problem("POST /connect").contains("malformed request line"));
        assertTrue(ConnectRequest.problem("POST /connectx HTTP/1.1").contains("not /connect"));
        assertTrue(ConnectRequest.problem("POST /connect HTTP/1.1\r\nno colon").contains("malformed header"));
    }
}
