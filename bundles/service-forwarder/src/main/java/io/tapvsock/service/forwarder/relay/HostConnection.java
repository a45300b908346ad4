package io.tapvsock.service.forwarder.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tapvsock.service.forwarder.core.SourceAddresses;
import io.tapvsock.transport.common.relay.ByteRelay;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * A host connection accepted on a forward, until its guest connection is up: opens the connection into the
 * guest (the guest sees the client's address, see {@link SourceAddresses}), then gives way to a
 * {@link ByteRelay}. The host channel does not read meanwhile (auto-read off). When the guest refuses, the
 * client gets a reset. Network loop only.
 */
final class HostConnection extends ChannelInboundHandlerAdapter {

    private static final System.Logger LOG = System.getLogger(HostConnection.class.getName());

    private final RelayContext context;
    private final InetSocketAddress guest;

    HostConnection(RelayContext context, InetSocketAddress guest) {
        this.context = context;
        this.guest = guest;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel host = ctx.channel();
        context.counters().connections.increment();
        context.counters().activeConnections.increment();
        host.closeFuture().addListener(closed -> context.counters().activeConnections.decrement());
        context.channels().add(host);
        InetSocketAddress source = SourceAddresses.forClient(host.remoteAddress(), context.settings().get(),
                context.config().get().sourceFromGateway());
        connect(ctx, source);
        ctx.fireChannelActive();
    }

    private void connect(ChannelHandlerContext ctx, InetSocketAddress source) {
        Channel host = ctx.channel();
        ChannelFuture connect = context.connector().connect(source, guest,
                new ByteRelay(host, context.counters().bytesToHost, context.counters().resets));
        connect.addListener(done -> {
            Channel guestChannel = connect.channel();
            if (done.isSuccess()) {
                if (!host.isActive()) {
                    guestChannel.close();
                    return;
                }
                context.channels().add(guestChannel);
                ctx.pipeline().replace(this, "relay",
                        new ByteRelay(guestChannel, context.counters().bytesToGuest, context.counters().resets));
                host.config().setAutoRead(true);
            } else if (done.cause() instanceof BindException && source.getPort() != 0) {
                // The client's port is taken toward this guest port: any port will do.
                connect(ctx, new InetSocketAddress(source.getAddress(), 0));
            } else {
                context.counters().refused.increment();
                LOG.log(Level.DEBUG, () -> "forward to " + guest + " for " + host.remoteAddress() + " failed: "
                        + done.cause());
                ByteRelay.closeWithReset(host);
            }
        });
    }
}
