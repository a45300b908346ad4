package io.tapvsock.transport.common.connect;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The one judge of gvproxy's {@code POST /connect} request head (compat.md section 3), for every endpoint that
 * takes it. gvforwarder writes Go's {@code http.NewRequest("POST", "/connect", nil).Write(conn)}:
 * <pre>
 * POST /connect HTTP/1.1\r\n
 * Host: \r\n                          (empty: the URL has no host)
 * User-Agent: Go-http-client/1.1\r\n
 * Content-Length: 0\r\n
 * \r\n                                (the frame stream starts right here; the server answers nothing)
 * </pre>
 * Two steps: {@link #detect} decides from the request line's first bytes whether a connection asks for
 * /connect at all (anything else is served as HTTP); {@link #check} judges the whole head once it is there.
 * A body is refused, since its bytes would be taken for frames; so is a head over {@value #MAX_HEAD} bytes.
 *
 * <p>Read first: RFC 9112 sections 2 (message format), 3 (request line), 5 (field lines) and 6.3 (body length).
 */
public final class ConnectRequest {

    /** The longest head accepted, its blank line included: a longer one is not a /connect client. */
    public static final int MAX_HEAD = 8192;

    private static final byte[] PREFIX = "POST /connect".getBytes(StandardCharsets.US_ASCII);
    private static final int HEAD_END_LENGTH = 4; // CR LF CR LF

    /** What a connection's first bytes say. */
    public enum Detection {
        /** The request line starts with {@code POST /connect} and then a space or a query. */
        CONNECT,
        /** Any other request (or no HTTP at all): serve it as HTTP. */
        NOT_CONNECT,
        /** Too few bytes to tell. */
        NEED_MORE
    }

    private ConnectRequest() {
    }

    /**
     * Whether the bytes from the reader index start a /connect request line. Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    public static Detection detect(ByteBuf bytes) {
        int start = bytes.readerIndex();
        int available = bytes.readableBytes();
        for (int i = 0; i < Math.min(available, PREFIX.length); i++) {
            if (bytes.getByte(start + i) != PREFIX[i]) {
                return Detection.NOT_CONNECT;
            }
        }
        if (available <= PREFIX.length) {
            return Detection.NEED_MORE;
        }
        byte next = bytes.getByte(start + PREFIX.length);
        return next == ' ' || next == '?' ? Detection.CONNECT : Detection.NOT_CONNECT;
    }

    /**
     * Judges the head that starts at the reader index: {@link HeadCheck.Incomplete} until its blank line has
     * come, then {@link HeadCheck.Accepted} or {@link HeadCheck.Refused}. Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    public static HeadCheck check(ByteBuf bytes) {
        int start = bytes.readerIndex();
        int end = headEnd(bytes, start, Math.min(bytes.readableBytes(), MAX_HEAD));
        if (end < 0) {
            return bytes.readableBytes() >= MAX_HEAD
                    ? new HeadCheck.Refused(HeadCheck.Problem.TOO_LONG, "request head longer than " + MAX_HEAD + " bytes")
                    : new HeadCheck.Incomplete();
        }
        String head = bytes.toString(start, end - HEAD_END_LENGTH - start, StandardCharsets.ISO_8859_1);
        HeadCheck.Refused refused = refusal(head);
        return refused != null ? refused : new HeadCheck.Accepted(end - start);
    }

    /** The index just past the first CR LF CR LF in {@code length} bytes from {@code start}, or -1. */
    private static int headEnd(ByteBuf bytes, int start, int length) {
        for (int i = start; i + HEAD_END_LENGTH <= start + length; i++) {
            if (bytes.getByte(i) == '\r' && bytes.getByte(i + 1) == '\n' && bytes.getByte(i + 2) == '\r'
                    && bytes.getByte(i + 3) == '\n') {
                return i + HEAD_END_LENGTH;
            }
        }
        return -1;
    }

    /** Null when {@code head} (without its blank line) is a /connect the frame stream may follow. */
    private static HeadCheck.Refused refusal(String head) {
        String[] lines = head.split("\r\n", -1);
        // RFC 9112 section 3: method SP request-target SP HTTP-version, single spaces.
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || requestLine[0].isEmpty() || requestLine[1].isEmpty()
                || !requestLine[2].startsWith("HTTP/1.")) {
            return new HeadCheck.Refused(HeadCheck.Problem.MALFORMED, "malformed request line \"" + lines[0] + "\"");
        }
        String target = requestLine[1];
        int query = target.indexOf('?');
        if (!requestLine[0].equals("POST") || !(query < 0 ? target : target.substring(0, query)).equals("/connect")) {
            return new HeadCheck.Refused(HeadCheck.Problem.NOT_CONNECT, "not /connect: \"" + lines[0] + "\"");
        }
        for (int i = 1; i < lines.length; i++) {
            // RFC 9112 section 5: field-name ":" OWS field-value OWS.
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return new HeadCheck.Refused(HeadCheck.Problem.MALFORMED, "malformed header line \"" + lines[i] + "\"");
            }
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            // RFC 9112 section 6.3: either header announces a body.
            if ((name.equalsIgnoreCase("Content-Length") && !value.equals("0"))
                    || name.equalsIgnoreCase("Transfer-Encoding")) {
                return new HeadCheck.Refused(HeadCheck.Problem.BODY,
                        "a body before the frame stream (" + name + ": " + value + ")");
            }
        }
        return null;
    }
}
