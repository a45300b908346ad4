package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP error a vsock endpoint answers by itself when a request cannot be served (a refused /connect, no API
 * to relay to): a status line, a text body with the reason, then the connection closes. RFC 9112 section 4 and
 * RFC 9110 section 15 for the status codes.
 */
final class HttpErrors {

    private HttpErrors() {
    }

    /** Writes the response, stops reading and closes the channel once it is written. Channel's loop. */
    static void respondAndClose(Channel channel, int status, String phrase, String reason) {
        channel.config().setAutoRead(false);
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + phrase + "\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        ByteBuf response = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body);
        channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
