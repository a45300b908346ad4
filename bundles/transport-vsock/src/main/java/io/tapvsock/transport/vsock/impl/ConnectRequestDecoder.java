package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * First in a vsock API connection's pipeline: reads the HTTP request head (RFC 9112 section 2). gvforwarder's
 * {@code POST /connect} (no body) makes the connection a frame stream: {@code onConnect} puts the hyperkit
 * pipeline behind this handler, which then leaves, passing on whatever came after the head. Any other request
 * gets an HTTP error with the reason and the connection closes: the rest of the API is served on the unix and
 * tcp endpoints.
 */
final class ConnectRequestDecoder extends ByteToMessageDecoder {

    /** A longer head is refused. */
    static final int MAX_HEAD = 8192;

    private final Consumer<ChannelHandlerContext> onConnect;
    private final Consumer<String> onRefused;
    private boolean refused;

    /**
     * @param onConnect adds the frame pipeline after this handler (called on the channel's loop)
     * @param onRefused hears why a request was refused (for the log and the counters)
     */
    ConnectRequestDecoder(Consumer<ChannelHandlerContext> onConnect, Consumer<String> onRefused) {
        this.onConnect = onConnect;
        this.onRefused = onRefused;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int end = headEnd(in);
        if (end < 0) {
            if (in.readableBytes() > MAX_HEAD) {
                refuse(ctx, in, 431, "Request Header Fields Too Large", "request head longer than " + MAX_HEAD);
            }
            return;
        }
        String head = in.toString(in.readerIndex(), end - 4 - in.readerIndex(), StandardCharsets.ISO_8859_1);
        String problem = problem(head);
        if (problem != null) {
            refuse(ctx, in, problem.startsWith("not ") ? 404 : 400, problem.startsWith("not ") ? "Not Found"
                    : "Bad Request", problem);
            return;
        }
        in.readerIndex(end);
        onConnect.accept(ctx);
        ctx.pipeline().remove(this); // what is left in the cumulation goes on to the frame decoder
    }

    /** The index just past the head's blank line, or -1. */
    private static int headEnd(ByteBuf in) {
        for (int i = in.readerIndex(); i + 3 < in.writerIndex(); i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                return i + 4;
            }
        }
        return -1;
    }

    /** Null for a POST /connect the frame stream may follow, else why not ("not ..." for another request). */
    static String problem(String head) {
        String[] lines = head.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            return "malformed request line \"" + lines[0] + "\"";
        }
        String path = requestLine[1];
        int query = path.indexOf('?');
        if (!requestLine[0].equals("POST") || !(query < 0 ? path : path.substring(0, query)).equals("/connect")) {
            return "not served on vsock: " + lines[0] + " (only POST /connect; the API is on the unix and tcp endpoints)";
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return "malformed header line \"" + lines[i] + "\"";
            }
            String name = lines[i].substring(0, colon).trim();
            String value = lines[i].substring(colon + 1).trim();
            if ((name.equalsIgnoreCase("Content-Length") && !value.equals("0"))
                    || name.equalsIgnoreCase("Transfer-Encoding")) {
                return "a body before the frame stream (" + name + ": " + value + ")";
            }
        }
        return null;
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, int status, String phrase, String reason) {
        refused = true;
        in.skipBytes(in.readableBytes());
        onRefused.accept(reason);
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuf bytes = Unpooled.wrappedBuffer(response.getBytes(StandardCharsets.US_ASCII), body);
        ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().config().setAutoRead(false);
    }
}
