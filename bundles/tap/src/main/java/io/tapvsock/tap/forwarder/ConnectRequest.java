package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP request head gvforwarder writes before the frame stream on an API endpoint, byte for byte as Go's
 * {@code http.NewRequest("POST", path, nil).Write(conn)} produces it: request line, an empty {@code Host:}
 * (the URL has no host), Go's default {@code User-Agent}, {@code Content-Length: 0} (Go sends it for a POST
 * without a body), blank line. The daemon answers nothing: the frame stream starts at once (compat.md §3).
 * RFC 9112 section 2 and 3 for the message layout.
 */
final class ConnectRequest {

    /** The path unix:// endpoints always use, and the default vsock URL's. */
    static final String CONNECT_PATH = "/connect";

    private ConnectRequest() {
    }

    /** The head for that request target (an absolute path, already percent-encoded). */
    static byte[] bytes(String path) {
        return ("POST " + path + " HTTP/1.1\r\n"
                + "Host: \r\n"
                + "User-Agent: Go-http-client/1.1\r\n"
                + "Content-Length: 0\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes the head for path; nothing is read back. */
    static void send(Connection connection, String path) throws IOException {
        connection.write(ByteBuffer.wrap(bytes(path)));
    }
}
