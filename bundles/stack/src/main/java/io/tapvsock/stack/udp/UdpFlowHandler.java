package io.tapvsock.stack.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** The host side of one UDP flow: datagrams read from the host socket go back to the guest. Thin: UdpNat decides. */
final class UdpFlowHandler extends ChannelInboundHandlerAdapter {

    private final UdpNat nat;
    private final UdpFlow flow;

    UdpFlowHandler(UdpNat nat, UdpFlow flow) {
        this.nat = nat;
        this.flow = flow;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof ByteBuf content) {
                nat.fromHost(flow, content);
            } else if (msg instanceof ByteBuf content) {
                nat.fromHost(flow, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        nat.hostBurstEnded();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        nat.hostChannelClosed(flow);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        nat.hostError(flow, cause); // e.g. an ICMP port unreachable, reported on the connected socket
    }
}
