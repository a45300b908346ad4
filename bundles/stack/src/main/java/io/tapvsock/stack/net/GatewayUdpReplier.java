package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.UdpReplier;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.UdpComposer;

/**
 * The {@link UdpReplier} handed to gateway services: datagrams from gatewayIP:(the port the request came to),
 * a UDP header buffer composed with the service's payload (RFC 768). One instance, reopened for every call, so
 * that a service call allocates nothing; it refuses to send once the call has returned. {@link #forLater()}
 * makes a lasting one, which flushes each datagram itself. Network loop only.
 */
public final class GatewayUdpReplier implements UdpReplier {

    private final StackContext context;
    private final Ipv4Output output;
    private final UdpComposer composer = new UdpComposer();
    private int sourceIp;
    private int sourcePort;
    private boolean open;
    /** A lasting replier: nothing flushes after it, so it flushes each datagram. */
    private final boolean lasting;

    public GatewayUdpReplier(StackContext context, Ipv4Output output) {
        this.context = context;
        this.output = output;
        this.lasting = false;
    }

    private GatewayUdpReplier(GatewayUdpReplier call) {
        this.context = call.context;
        this.output = call.output;
        this.sourceIp = call.sourceIp;
        this.sourcePort = call.sourcePort;
        this.open = true;
        this.lasting = true;
    }

    /** Valid from here until {@link #close()}: replies go from {@code sourceIp:sourcePort}. */
    public void open(int sourceIp, int sourcePort) {
        this.sourceIp = sourceIp;
        this.sourcePort = sourcePort;
        this.open = true;
    }

    public void close() {
        if (!lasting) {
            open = false;
        }
    }

    @Override
    public UdpReplier forLater() {
        if (!open) {
            throw new IllegalStateException("forLater() must be called during the call the replier was passed to");
        }
        return lasting ? this : new GatewayUdpReplier(this);
    }

    @Override
    public ByteBufAllocator alloc() {
        return context.alloc();
    }

    /** @param payload transferred: callee releases */
    @Override
    public void send(MacAddress destinationMac, Ipv4Address destination, int destinationPort, ByteBuf payload) {
        if (!open) {
            payload.release();
            throw new IllegalStateException("a UdpReplier is valid only during the call it was passed to");
        }
        ByteBuf l4 = composer.compose(context.alloc(), sourceIp, sourcePort, destination.bits(), destinationPort,
                payload);
        output.sendTo(destinationMac.bits(), sourceIp, destination.bits(), Ipv4Header.PROTOCOL_UDP, l4);
        if (lasting) {
            context.flush();
        }
    }
}
