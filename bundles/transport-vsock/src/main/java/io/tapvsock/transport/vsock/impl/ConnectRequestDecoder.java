package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.tapvsock.transport.common.connect.ConnectRequest;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.util.List;

/**
 * First in a vsock API connection's pipeline: looks at the first request (transport-common's
 * {@link ConnectRequest} judges it, as for the unix and tcp endpoints). gvforwarder's {@code POST /connect} (no
 * body) makes the connection a frame stream: the hyperkit pipeline goes behind this handler, which then leaves,
 * passing on whatever came after the head. Any other request is for the HTTP API: a relay goes behind this
 * handler instead, which leaves passing on every byte read so far, the request included. A /connect head that
 * is refused (a body, malformed, too long) gets an HTTP error with the reason, and the connection closes.
 * RFC 9112 section 2 for the message layout.
 */
final class ConnectRequestDecoder extends ByteToMessageDecoder {

    /** What happens next; called on the channel's loop. */
    interface Next {

        /** POST /connect: add the frame pipeline after {@code ctx}. */
        void frameStream(ChannelHandlerContext ctx);

        /**
         * Another request: add a handler after {@code ctx} that serves the connection's bytes from the start.
         *
         * @return false when no API can serve it (nothing added): the connection gets a 503 and closes
         */
        boolean api(ChannelHandlerContext ctx);

        /**
         * The connection was refused before any frame.
         *
         * @param reason a short counter key, e.g. "body" or "no-api"
         * @param detail for the log
         */
        void refused(String reason, String detail);
    }

    private final Next next;
    private boolean refused;

    ConnectRequestDecoder(Next next) {
        this.next = next;
    }

    /** @param in borrowed: not retained after return (what is left goes on when this handler leaves) */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        switch (ConnectRequest.detect(in)) {
            case NEED_MORE -> {
                return;
            }
            case NOT_CONNECT -> {
                if (next.api(ctx)) {
                    ctx.pipeline().remove(this); // the whole cumulation goes on to the API's handler
                } else {
                    refuse(ctx, in, 503, "Service Unavailable", "no-api",
                            "the HTTP API is not available here (is bundle io.tapvsock.http installed?)");
                }
                return;
            }
            case CONNECT -> {
                // judged below, once the head is complete
            }
        }
        switch (ConnectRequest.check(in)) {
            case HeadCheck.Incomplete incomplete -> {
                // wait for the rest of the head
            }
            case HeadCheck.Refused bad -> refuse(ctx, in, bad.problem() == HeadCheck.Problem.TOO_LONG ? 431 : 400,
                    bad.problem() == HeadCheck.Problem.TOO_LONG ? "Request Header Fields Too Large" : "Bad Request",
                    bad.problem().key(), bad.detail());
            case HeadCheck.Accepted head -> {
                in.skipBytes(head.length());
                next.frameStream(ctx);
                ctx.pipeline().remove(this); // what is left in the cumulation goes on to the frame decoder
            }
        }
    }

    private void refuse(ChannelHandlerContext ctx, ByteBuf in, int status, String phrase, String reason,
            String detail) {
        refused = true;
        in.skipBytes(in.readableBytes());
        next.refused(reason, detail);
        HttpErrors.respondAndClose(ctx.channel(), status, phrase, detail);
    }
}
