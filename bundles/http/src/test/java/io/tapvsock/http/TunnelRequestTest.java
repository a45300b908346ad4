package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.ConnectionFactory.Detecting.Detection;
import org.junit.jupiter.api.Test;

class TunnelRequestTest {

    /** gvproxy's transport.Tunnel: Go's request with an empty Host header. */
    private static final String GO_HEAD = "POST /tunnel?ip=192.168.127.2&port=8080 HTTP/1.1\r\nHost: \r\n"
            + "User-Agent: Go-http-client/1.1\r\n\r\n";

    private static Detection detect(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            return TunnelRequest.detect(bytes);
        } finally {
            bytes.release();
        }
    }

    private static HeadCheck check(String text) {
        ByteBuf bytes = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        try {
            return TunnelRequest.check(bytes);
        } finally {
            bytes.release();
        }
    }

    @Test
    void detect_needsTheByteAfterThePath() {
        assertEquals(Detection.NEED_MORE_BYTES, detect(""));
        assertEquals(Detection.NEED_MORE_BYTES, detect("POST /tun"));
        assertEquals(Detection.NEED_MORE_BYTES, detect("POST /tunnel"));
        assertEquals(Detection.RECOGNIZED, detect("POST /tunnel?"));
        assertEquals(Detection.RECOGNIZED, detect("POST /tunnel "));
        assertEquals(Detection.NOT_RECOGNIZED, detect("POST /tunnels"));
        assertEquals(Detection.NOT_RECOGNIZED, detect("GET /tunnel?ip=1"));
        assertEquals(Detection.NOT_RECOGNIZED, detect("POST /connect "));
    }

    @Test
    void check_goClientsHead_isAcceptedUpToItsBlankLine() {
        HeadCheck result = check(GO_HEAD + "GET / HTTP/1.0\r\n\r\n");
        assertEquals(new HeadCheck.Accepted(GO_HEAD.length()), result);
        assertEquals("/tunnel?ip=192.168.127.2&port=8080", TunnelRequest.target(GO_HEAD.strip()));
    }

    @Test
    void check_incompleteUntilTheBlankLine_tooLongAfterTheLimit() {
        assertInstanceOf(HeadCheck.Incomplete.class, check("POST /tunnel?ip=1 HTTP/1.1\r\nHost: x\r\n"));
        HeadCheck.Refused refused = assertInstanceOf(HeadCheck.Refused.class,
                check("POST /tunnel HTTP/1.1\r\nX: " + "y".repeat(9000)));
        assertEquals(HeadCheck.Problem.TOO_LONG, refused.problem());
    }

    @Test
    void check_aBodyIsRefused_contentLengthZeroIsNot() {
        assertInstanceOf(HeadCheck.Accepted.class, check("POST /tunnel HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
        assertEquals(HeadCheck.Problem.BODY, assertInstanceOf(HeadCheck.Refused.class,
                check("POST /tunnel HTTP/1.1\r\ncontent-length: 12\r\n\r\n")).problem());
        assertEquals(HeadCheck.Problem.BODY, assertInstanceOf(HeadCheck.Refused.class,
                check("POST /tunnel HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")).problem());
    }

    @Test
    void check_malformedRequestLines() {
        for (String line : new String[] {"POST /tunnel  HTTP/1.1", "POST /tunnel?ip=1 HTTP/2", "POST /tunnel x y"}) {
            HeadCheck.Refused refused = assertInstanceOf(HeadCheck.Refused.class, check(line + "\r\n\r\n"), line);
            assertEquals(HeadCheck.Problem.MALFORMED, refused.problem(), line);
        }
    }
}
