package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.transport.common.connect.ConnectRequest;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.ConnectionFactory.Detecting.Detection;

/**
 * The judge of gvproxy's {@code POST /tunnel?ip=A.B.C.D&port=N} request head (compat.md section 4). gvproxy's
 * own client ({@code transport.Tunnel}) writes Go's {@code http.NewRequest("POST", "/tunnel?...", nil)}, whose
 * {@code Host:} header is empty, which Jetty refuses: so the head is read here, like /connect's, and never
 * reaches Jetty's parser. What follows the head belongs to the tunnel, so a body is refused (its bytes would go
 * to the guest). Only the method and path are judged here; the query is the tunnel service's.
 *
 * <p>Read first: RFC 9112 sections 3 (request line) and 6.3 (body length).
 */
final class TunnelRequest {

    private static final String PREFIX = "POST /tunnel";
    private static final ByteBuf HEAD_END = Unpooled.unreleasableBuffer(
            Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
    /** RFC 9112 section 3: method SP request-target SP HTTP-version, single spaces. */
    private static final Pattern REQUEST_LINE = Pattern.compile("POST /tunnel(\\?[^ ]*)? HTTP/1\\.[01]");
    /** A field line that announces a body (RFC 9112 section 6.3): a Content-Length other than 0, or any Transfer-Encoding. */
    private static final Pattern BODY_FIELD = Pattern.compile(
            "(?im)^(content-length[ \\t]*:(?![ \\t]*0*[ \\t]*$)|transfer-encoding[ \\t]*:)");

    private TunnelRequest() {
    }

    /**
     * Whether the bytes from the reader index start a /tunnel request line. Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    static Detection detect(ByteBuf bytes) {
        int length = Math.min(bytes.readableBytes(), PREFIX.length() + 1);
        String start = bytes.toString(bytes.readerIndex(), length, StandardCharsets.ISO_8859_1);
        if (length <= PREFIX.length()) {
            return PREFIX.startsWith(start) ? Detection.NEED_MORE_BYTES : Detection.NOT_RECOGNIZED;
        }
        char next = start.charAt(PREFIX.length());
        return start.startsWith(PREFIX) && (next == ' ' || next == '?') ? Detection.RECOGNIZED
                : Detection.NOT_RECOGNIZED;
    }

    /**
     * Judges the head that starts at the reader index. Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    static HeadCheck check(ByteBuf bytes) {
        int length = Math.min(bytes.readableBytes(), ConnectRequest.MAX_HEAD);
        int end = ByteBufUtil.indexOf(HEAD_END, bytes.slice(bytes.readerIndex(), length));
        if (end < 0) {
            return length >= ConnectRequest.MAX_HEAD
                    ? new HeadCheck.Refused(HeadCheck.Problem.TOO_LONG,
                            "request head longer than " + ConnectRequest.MAX_HEAD + " bytes")
                    : new HeadCheck.Incomplete();
        }
        String head = bytes.toString(bytes.readerIndex(), end, StandardCharsets.ISO_8859_1);
        String requestLine = requestLine(head);
        if (!REQUEST_LINE.matcher(requestLine).matches()) {
            return new HeadCheck.Refused(HeadCheck.Problem.MALFORMED, "malformed request line \"" + requestLine + "\"");
        }
        if (BODY_FIELD.matcher(head).find()) {
            return new HeadCheck.Refused(HeadCheck.Problem.BODY, "a request body before the tunnel's stream");
        }
        return new HeadCheck.Accepted(end + HEAD_END.readableBytes());
    }

    /** The request target of an accepted head, e.g. {@code /tunnel?ip=192.168.127.2&port=8080}. */
    static String target(String head) {
        return requestLine(head).split(" ")[1];
    }

    private static String requestLine(String head) {
        int lineEnd = head.indexOf("\r\n");
        return lineEnd < 0 ? head : head.substring(0, lineEnd);
    }
}
