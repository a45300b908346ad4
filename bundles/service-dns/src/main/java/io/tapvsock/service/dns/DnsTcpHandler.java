package io.tapvsock.service.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.tapvsock.service.dns.core.DnsServer;
import io.tapvsock.service.dns.core.DnsStreamSession;
import java.util.concurrent.TimeUnit;

/**
 * DNS over one guest TCP connection to the gateway: bytes go to a {@link DnsStreamSession}, replies go back on
 * the channel. A connection idle for {@link #IDLE_SECONDS} is closed (RFC 7766 §6.2.3: servers close idle
 * connections so they do not pile up). Network loop only.
 */
final class DnsTcpHandler extends ChannelInboundHandlerAdapter {

    static final long IDLE_SECONDS = 30;

    private final DnsServer server;
    private DnsStreamSession session;
    private ScheduledFuture<?> idle;

    DnsTcpHandler(DnsServer server) {
        this.server = server;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        session = new DnsStreamSession(server, ctx.alloc(), reply -> {
            if (ctx.channel().isActive()) {
                ctx.writeAndFlush(reply);
            } else {
                reply.release();
            }
        });
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        restartIdleTimer(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            restartIdleTimer(ctx);
            session.received(bytes);
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void restartIdleTimer(ChannelHandlerContext ctx) {
        if (idle != null) {
            idle.cancel(false);
        }
        idle = ctx.executor().schedule(() -> {
            ctx.close();
        }, IDLE_SECONDS, TimeUnit.SECONDS);
    }

    private void stop() {
        if (idle != null) {
            idle.cancel(false);
            idle = null;
        }
        session.close();
    }
}
