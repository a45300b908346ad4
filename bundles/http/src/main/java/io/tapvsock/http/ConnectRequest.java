package io.tapvsock.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * gvproxy's {@code POST /connect} as gvforwarder and podman send it: {@code POST /connect HTTP/1.1}, an empty
 * {@code Host:} header, {@code Content-Length: 0}, then (with no response from the server) the frame stream.
 * Recognizing the request line and finding the end of the head; RFC 9112 section 2 for the message layout.
 */
final class ConnectRequest {

    private static final byte[] PREFIX = "POST /connect".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    /** A longer head is not a /connect client: it is refused. */
    static final int MAX_HEAD = 8192;

    enum Detection { CONNECT, NOT_CONNECT, NEED_MORE }

    private ConnectRequest() {
    }

    /** Whether the bytes from the buffer's position start a /connect request line. Does not move the buffer. */
    static Detection detect(ByteBuffer buffer) {
        int position = buffer.position();
        int available = buffer.remaining();
        for (int i = 0; i < Math.min(available, PREFIX.length); i++) {
            if (buffer.get(position + i) != PREFIX[i]) {
                return Detection.NOT_CONNECT;
            }
        }
        if (available <= PREFIX.length) {
            return Detection.NEED_MORE;
        }
        byte next = buffer.get(position + PREFIX.length);
        return next == ' ' || next == '?' ? Detection.CONNECT : Detection.NOT_CONNECT;
    }

    /**
     * The index just past the blank line that ends the head in {@code buffer[position, limit)}, or -1 when it
     * has not arrived yet.
     */
    static int headEnd(ByteBuffer buffer) {
        for (int i = buffer.position(); i + HEAD_END.length <= buffer.limit(); i++) {
            if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n' && buffer.get(i + 2) == '\r'
                    && buffer.get(i + 3) == '\n') {
                return i + HEAD_END.length;
            }
        }
        return -1;
    }

    /**
     * Checks a whole head (request line and headers, without the final blank line): null when it is a /connect
     * request the frame stream may follow, else why not. A body is refused: gvforwarder sends none, and a body's
     * bytes would be taken for frames.
     */
    static String problem(String head) {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[0].equals("POST") || !requestLine[2].startsWith("HTTP/1.")) {
            return "malformed request line \"" + lines[0] + "\"";
        }
        String path = requestLine[1];
        int query = path.indexOf('?');
        if (!(query < 0 ? path : path.substring(0, query)).equals("/connect")) {
            return "not /connect: \"" + lines[0] + "\"";
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return "malformed header line \"" + lines[i] + "\"";
            }
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length") && !value.equals("0")) {
                return "a body (Content-Length: " + value + ") before the frame stream";
            }
            if (name.equalsIgnoreCase("Transfer-Encoding")) {
                return "a body (Transfer-Encoding: " + value + ") before the frame stream";
            }
        }
        return null;
    }
}
