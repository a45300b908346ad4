package io.tapvsock.transport.common.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.transport.common.connect.ConnectRequest.Detection;
import io.tapvsock.transport.common.connect.HeadCheck.Problem;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ConnectRequestTest {

    /** Exactly what gvforwarder (Go's http.Request.Write) sends. */
    private static final String GVFORWARDER =
            "POST /connect HTTP/1.1\r\nHost: \r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\n\r\n";

    /** Runs {@code judge} on the text after a few junk bytes the reader index skips, and releases the buffer. */
    private static <T> T on(String text, Function<ByteBuf, T> judge) {
        ByteBuf bytes = Unpooled.copiedBuffer("xyz" + text, StandardCharsets.ISO_8859_1);
        try {
            bytes.readerIndex(3);
            T result = judge.apply(bytes);
            assertEquals(3, bytes.readerIndex(), "no index moves");
            return result;
        } finally {
            bytes.release();
        }
    }

    private static Detection detect(String text) {
        return on(text, ConnectRequest::detect);
    }

    private static HeadCheck check(String text) {
        return on(text, ConnectRequest::check);
    }

    private static Problem refused(String text) {
        return assertInstanceOf(HeadCheck.Refused.class, check(text), text).problem();
    }

    @Test
    void detect_fromTheRequestLinesFirstBytes() {
        assertEquals(Detection.CONNECT, detect("POST /connect HTTP/1.1\r\n"));
        assertEquals(Detection.CONNECT, detect("POST /connect?x=1 HTTP/1.1"));
        assertEquals(Detection.NEED_MORE, detect(""));
        assertEquals(Detection.NEED_MORE, detect("POST /con"));
        assertEquals(Detection.NEED_MORE, detect("POST /connect"));
        assertEquals(Detection.NOT_CONNECT, detect("POST /connection HTTP/1.1"));
        assertEquals(Detection.NOT_CONNECT, detect("GET /connect HTTP/1.1"));
        assertEquals(Detection.NOT_CONNECT, detect("POST /services/x"));
        assertEquals(Detection.NOT_CONNECT, detect("G"));
    }

    @Test
    void check_acceptsGvforwardersHead_andTellsWhereTheFrameStreamStarts() {
        HeadCheck check = check(GVFORWARDER + "\u0005\u0000hello");
        assertEquals(new HeadCheck.Accepted(GVFORWARDER.length()), check);
        assertEquals(new HeadCheck.Accepted(26), check("POST /connect HTTP/1.0\r\n\r\n"));
        assertEquals(new HeadCheck.Accepted(30), check("POST /connect?a=b HTTP/1.1\r\n\r\nxx"));
    }

    @Test
    void check_isIncompleteUntilTheBlankLine() {
        for (int cut = 0; cut < GVFORWARDER.length(); cut++) {
            assertEquals(new HeadCheck.Incomplete(), check(GVFORWARDER.substring(0, cut)), "cut at " + cut);
        }
    }

    @Test
    void check_refusesBodies() {
        assertEquals(Problem.BODY, refused("POST /connect HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"));
        assertEquals(Problem.BODY, refused("POST /connect HTTP/1.1\r\ncontent-length:1\r\n\r\n"));
        assertEquals(Problem.BODY, refused("POST /connect HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
    }

    @Test
    void check_refusesMalformedLines() {
        assertEquals(Problem.MALFORMED, refused("POST /connect\r\n\r\n"));
        assertEquals(Problem.MALFORMED, refused("POST  /connect HTTP/1.1\r\n\r\n"));
        assertEquals(Problem.MALFORMED, refused("POST /connect HTTP/2\r\n\r\n"));
        assertEquals(Problem.MALFORMED, refused("POST /connect HTTP/1.1\r\nno colon\r\n\r\n"));
        assertEquals(Problem.MALFORMED, refused("POST /connect HTTP/1.1\r\n: value\r\n\r\n"));
        assertEquals(Problem.MALFORMED, refused("garbage\r\n\r\n"));
    }

    @Test
    void check_refusesOtherRequests() {
        assertEquals(Problem.NOT_CONNECT, refused("POST /connectx HTTP/1.1\r\n\r\n"));
        assertEquals(Problem.NOT_CONNECT, refused("GET /connect HTTP/1.1\r\n\r\n"));
        HeadCheck.Refused refused = assertInstanceOf(HeadCheck.Refused.class, check("GET /stats HTTP/1.1\r\n\r\n"));
        assertTrue(refused.detail().contains("GET /stats HTTP/1.1"), refused.detail());
    }

    @Test
    void check_refusesAHeadOverTheLimit_evenBeforeItEnds() {
        String longHeader = "POST /connect HTTP/1.1\r\nX: " + "y".repeat(ConnectRequest.MAX_HEAD) + "\r\n\r\n";
        assertEquals(Problem.TOO_LONG, refused(longHeader));
        assertEquals(Problem.TOO_LONG, refused(longHeader.substring(0, ConnectRequest.MAX_HEAD)));
        assertEquals(new HeadCheck.Incomplete(), check(longHeader.substring(0, ConnectRequest.MAX_HEAD - 1)));
        String exactly = "POST /connect HTTP/1.1\r\nX: "
                + "y".repeat(ConnectRequest.MAX_HEAD - 24 - 3 - 4) + "\r\n\r\n";
        assertEquals(ConnectRequest.MAX_HEAD, exactly.length());
        assertEquals(new HeadCheck.Accepted(ConnectRequest.MAX_HEAD), check(exactly));
        assertEquals(Problem.TOO_LONG, refused(exactly.replace("X: y", "X: yy")));
    }
}
