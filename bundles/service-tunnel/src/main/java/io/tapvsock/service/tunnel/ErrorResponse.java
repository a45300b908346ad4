package io.tapvsock.service.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP error a tunnel request gets instead of {@code OK}: a whole HTTP/1.1 response with a text reason,
 * then the connection closes. A client that reads two bytes and compares them with {@code OK} (gvproxy's
 * transport.Tunnel) sees {@code HT} and fails at once; curl shows the status and the reason.
 */
final class ErrorResponse {

    private ErrorResponse() {
    }

    /** @return a new buffer: caller releases (or writes it) */
    static ByteBuf of(ByteBufAllocator allocator, int status, String reason, String text) {
        byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf response = allocator.buffer(128 + body.length);
        response.writeCharSequence("HTTP/1.1 " + status + " " + reason + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n", StandardCharsets.US_ASCII);
        response.writeBytes(body);
        return response;
    }
}
