package io.tapvsock.service.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.tapvsock.transport.common.relay.ByteRelay;
import io.tapvsock.transport.common.stream.AlreadyRead;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A client connection that asked for {@code POST /tunnel}, until its guest connection is up. It judges the
 * target ({@link TunnelTarget}), opens TCP to it from the gateway's address (as gvproxy, whose own stack dials),
 * and only then writes {@code OK} and gives way to a {@link ByteRelay} each way; the bytes that came with the
 * request head go to the guest first. The client is not read meanwhile (auto-read off), nor is the guest until
 * {@code OK} is out, so a guest that speaks first (an SSH banner) is never ahead of it.
 *
 * <p>gvproxy writes {@code OK} before it dials and just closes when the dial fails, which a client cannot tell
 * from a guest that accepted and closed at once. Here a refused or silent guest gets {@code 502} with the
 * reason, and a bad ip or port {@code 500} with the reason (as gvproxy); either way the client reads an HTTP
 * response where {@code OK} would be. Network loop only.
 */
final class TunnelOpener extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(TunnelOpener.class.getName());
    private static final byte[] OK = "OK".getBytes(StandardCharsets.US_ASCII);
    /** How long what a refused client still sends is read and dropped, so the close does not reset the answer. */
    private static final int LINGER_SECONDS = 5;

    private final TunnelContext context;
    private final String requestTarget;
    private final String description;
    private ByteBuf alreadyRead;

    /**
     * @param requestTarget the request line's target, e.g. {@code /tunnel?ip=192.168.127.2&port=8080}
     * @param alreadyRead   what came after the request head; transferred: this handler passes it on or releases it
     */
    TunnelOpener(TunnelContext context, String requestTarget, ByteBuf alreadyRead, String description) {
        this.context = context;
        this.requestTarget = requestTarget;
        this.alreadyRead = alreadyRead;
        this.description = description;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        context.channels().add(ctx.channel());
        TunnelTarget target;
        try {
            target = TunnelTarget.parse(requestTarget, context.settings().get());
        } catch (IllegalArgumentException e) {
            refuse(ctx, 500, "Internal Server Error", e.getMessage());
            return;
        }
        open(ctx, target);
    }

    private void open(ChannelHandlerContext ctx, TunnelTarget target) {
        Channel client = ctx.channel();
        InetSocketAddress source = new InetSocketAddress(TunnelTarget.inetAddress(context.settings().get().gatewayIp()), 0);
        ChannelFuture connect = context.connector().connect(source, target.socketAddress(),
                new ByteRelay(client, context.counters().bytesToClient, context.counters().resets));
        Channel guest = connect.channel();
        // Set before the SYN goes out (that is a later task of this loop): the guest waits for OK.
        guest.config().setAutoRead(false);
        connect.addListener(done -> {
            if (!done.isSuccess()) {
                context.counters().refused.increment();
                refuse(ctx, 502, "Bad Gateway", "cannot reach " + target + ": " + done.cause().getMessage());
                return;
            }
            if (!client.isActive()) {
                guest.close();
                return;
            }
            relay(ctx, guest, target);
        });
    }

    private void relay(ChannelHandlerContext ctx, Channel guest, TunnelTarget target) {
        Channel client = ctx.channel();
        TunnelCounters counters = context.counters();
        context.channels().add(guest);
        counters.opened.increment();
        counters.active.increment();
        client.closeFuture().addListener(closed -> counters.active.decrement());
        LOG.log(Level.DEBUG, () -> description + ": tunnel to " + target + " open");
        client.writeAndFlush(Unpooled.wrappedBuffer(OK));
        ByteBuf first = alreadyRead;
        alreadyRead = null;
        ctx.pipeline().replace(this, "relay", new ByteRelay(guest, counters.bytesToGuest, counters.resets));
        // First in line, on an active channel: passes the early bytes to the relay at once.
        client.pipeline().addFirst(new AlreadyRead(first));
        client.config().setAutoRead(true);
        guest.config().setAutoRead(true);
    }

    /** Answers the HTTP error instead of OK, then closes once the client does (at most after a few seconds). */
    private void refuse(ChannelHandlerContext ctx, int status, String reason, String text) {
        LOG.log(Level.INFO, "{0}: {1} refused: {2}", description, requestTarget, text);
        context.counters().failed.increment();
        release();
        Channel client = ctx.channel();
        client.writeAndFlush(ErrorResponse.of(client.alloc(), status, reason, text)).addListener(written -> {
            if (client.isActive() && client instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            }
        });
        // What the client still sends goes to the pipeline's end, which drops it; its end closes the channel.
        ctx.pipeline().remove(this);
        client.config().setAutoRead(true);
        client.eventLoop().schedule(() -> client.close(), LINGER_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release();
    }

    /** Releases the early bytes if they were not passed on; for a connection that never became active. */
    void release() {
        if (alreadyRead != null) {
            alreadyRead.release();
            alreadyRead = null;
        }
    }
}
