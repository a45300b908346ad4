package io.tapvsock.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** HTTP/1.1 by hand over a JDK SocketChannel (unix or tcp): one request per connection. */
final class RawHttpClient {

    record Reply(int status, Map<String, String> headers, String body) {
    }

    private RawHttpClient() {
    }

    static Reply request(SocketAddress address, String method, String target, byte[] body) throws IOException {
        try (SocketChannel channel = SocketChannel.open(address)) {
            writeAll(channel, head(method, target, body == null ? -1 : body.length));
            if (body != null) {
                writeAll(channel, body);
            }
            return parse(readAll(channel));
        }
    }

    /** Sends only the head, announcing a body of {@code contentLength} bytes that never comes. */
    static Reply headOnly(SocketAddress address, String method, String target, long contentLength) throws IOException {
        try (SocketChannel channel = SocketChannel.open(address)) {
            writeAll(channel, head(method, target, contentLength));
            return parse(readAll(channel));
        }
    }

    private static byte[] head(String method, String target, long contentLength) {
        return (method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + (contentLength < 0 ? "" : "Content-Length: " + contentLength + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static Reply get(SocketAddress address, String target) throws IOException {
        return request(address, "GET", target, null);
    }

    private static void writeAll(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private static String readAll(SocketChannel channel) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(8192);
        try {
            while (channel.read(in) >= 0) {
                all.write(in.array(), 0, in.position());
                in.clear();
            }
        } catch (IOException reset) {
            // The server may reset after a response it closed early (413): what arrived is the answer.
        }
        return all.toString(StandardCharsets.UTF_8);
    }

    private static Reply parse(String response) {
        int headEnd = response.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            throw new AssertionError("no complete response head in: " + response);
        }
        String[] lines = response.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new Reply(status, headers, response.substring(headEnd + 4));
    }
}
