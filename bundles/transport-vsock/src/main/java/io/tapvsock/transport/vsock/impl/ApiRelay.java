package io.tapvsock.transport.vsock.impl;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Serves a vsock connection's HTTP API requests by relaying its bytes, unchanged and in both directions, to the
 * http bundle's private API socket (transport-common's ApiRelayTarget): Jetty cannot accept AF_VSOCK itself,
 * and API traffic is small. The client is the channel this handler sits on; the API side is a unix stream
 * channel it opens on the same loop. Bytes that arrive before that connection is up (the request the vsock
 * endpoint already read) wait, then go first. Each side reads only while the other can take more. The client
 * may shut its output after its request: the API sees the same end of input and still answers. When the API
 * side ends, the client's connection closes once everything is written. Channel's loop only.
 */
final class ApiRelay extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(ApiRelay.class.getName());

    private final Path socket;
    private final Consumer<String> onUnreachable;
    /** Client bytes read before the API connection was up; each transferred: released when written or dropped. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    /** The connection to the API, once it is up. */
    private Channel api;
    private boolean clientInputShut;

    /**
     * @param socket        the API's unix socket
     * @param onUnreachable hears why the API could not be reached (the client gets a 502)
     */
    ApiRelay(Path socket, Consumer<String> onUnreachable) {
        this.socket = socket;
        this.onUnreachable = onUnreachable;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        new Bootstrap()
                .group(client.eventLoop())
                .channel(EpollDomainSocketChannel.class)
                .handler(new ApiSide(client))
                .connect(new DomainSocketAddress(socket.toString()))
                .addListener((ChannelFutureListener) connected -> connected(ctx, connected));
    }

    private void connected(ChannelHandlerContext ctx, ChannelFuture connected) {
        Channel client = ctx.channel();
        if (!connected.isSuccess()) {
            releasePending();
            String reason = "the HTTP API at " + socket + " cannot be reached: " + connected.cause().getMessage();
            onUnreachable.accept(reason);
            HttpErrors.respondAndClose(client, 502, "Bad Gateway", reason);
            return;
        }
        if (!client.isActive()) {
            releasePending();
            connected.channel().close();
            return;
        }
        api = connected.channel();
        while (!pending.isEmpty()) {
            api.write(pending.poll());
        }
        api.flush();
        if (clientInputShut) {
            shutdownOutputAfterWrites(api);
        } else {
            clientReads(client, api.isWritable());
        }
    }

    /** @param msg transferred: written to the API side, or kept until it is up */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (api == null) {
            pending.add(msg);
        } else {
            api.write(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (api != null) {
            api.flush();
            if (!api.isWritable()) {
                clientReads(ctx.channel(), false);
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            clientInputShut = true; // the client sent everything: the API hears the same once it has it all
            if (api != null) {
                shutdownOutputAfterWrites(api);
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (api != null) {
            api.config().setAutoRead(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePending();
        if (api != null) {
            api.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.DEBUG, "API client connection failed: {0}", cause.toString());
        ctx.close();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePending();
    }

    /**
     * Starts or stops reading the client, unless its input has ended: epoll no longer watches a shut input, and
     * changing the interest then fails (ENOENT).
     */
    private void clientReads(Channel client, boolean read) {
        if (!clientInputShut) {
            client.config().setAutoRead(read);
        }
    }

    private void releasePending() {
        while (!pending.isEmpty()) {
            ReferenceCountUtil.release(pending.poll());
        }
    }

    /** Ends the channel's output once everything written to it is out: a shutdown fails writes still queued. */
    private static void shutdownOutputAfterWrites(Channel channel) {
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                channel.close();
            }
        });
    }

    /** The API side: its bytes go to the client; its end closes the client once they are written. */
    private final class ApiSide extends ChannelInboundHandlerAdapter {

        private final Channel client;

        ApiSide(Channel client) {
            this.client = client;
        }

        /** @param msg transferred: written to the client */
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            client.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            client.flush();
            if (!client.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            clientReads(client, ctx.channel().isWritable());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.log(Level.DEBUG, "API side of a relayed connection failed: {0}", cause.toString());
            ctx.close();
        }
    }
}
