package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First in an adopted stream's pipeline: once the connection is active (the port attached), passes on the bytes
 * someone else already read from the socket (a request head's followers), as if they had just been read, then
 * leaves the pipeline. Network loop only.
 */
final class AlreadyRead extends ChannelInboundHandlerAdapter {

    private ByteBuf bytes;

    /** @param bytes transferred: passed on once, or released */
    AlreadyRead(ByteBuf bytes) {
        this.bytes = bytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        ByteBuf first = bytes;
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
