package io.tapvsock.service.forwarder.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tapvsock.api.SshTunnel;

/**
 * A host connection accepted on a unix forward with an ssh-tunnel:// remote: counted as the forward's other
 * connections, then handed to the tunnel, which relays it over SSH to the guest's socket (its bytes are counted
 * under "service-sshtunnel"). Network loop only.
 */
final class TunnelConnection extends ChannelInboundHandlerAdapter {

    private final RelayContext context;
    private final SshTunnel tunnel;

    TunnelConnection(RelayContext context, SshTunnel tunnel) {
        this.context = context;
        this.tunnel = tunnel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel host = ctx.channel();
        context.accepted(host);
        ctx.fireChannelActive();
        ctx.pipeline().remove(this);
        tunnel.relay(host);
    }
}
