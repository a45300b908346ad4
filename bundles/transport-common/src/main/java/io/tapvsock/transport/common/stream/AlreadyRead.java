package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in a taken-over stream's pipeline: passes on the bytes someone else already read from the socket (what
 * followed a request head), as if they had just been read, then leaves the pipeline. It does so once the
 * connection is active, or at once when it is added to an active connection; so add it after the handlers that
 * take the bytes ({@code pipeline.addFirst}). Network loop only.
 */
public final class AlreadyRead extends ChannelInboundHandlerAdapter {

    private ByteBuf bytes;

    /** @param bytes transferred: passed on once, or released */
    public AlreadyRead(ByteBuf bytes) {
        this.bytes = bytes;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            passOn(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        passOn(ctx);
    }

    private void passOn(ChannelHandlerContext ctx) {
        ByteBuf first = bytes;
        if (first == null) {
            return;
        }
        bytes = null;
        if (first.isReadable()) {
            ctx.fireChannelRead(first);
            ctx.fireChannelReadComplete();
        } else {
            first.release();
        }
        ctx.pipeline().remove(this);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (bytes != null) { // closed before it was ever active
            bytes.release();
            bytes = null;
        }
    }
}
