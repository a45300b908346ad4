package io.tapvsock.api;

import io.netty.channel.Channel;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A TCP service on the gateway address (DNS over TCP on 53, the in-VM API on 80), registered as an OSGi service
 * with the integer property {@value #PORT}. A guest's connection to the gateway IP on that port becomes a Netty
 * {@link Channel} on the network loop, served by the stack's own TCP: no host socket is involved.
 */
@ConsumerType
public interface GatewayTcpService {

    /** Service property: the TCP port served. */
    String PORT = "tapvsock.tcp.port";

    /**
     * A guest opened a connection (its SYN arrived). Add handlers to {@code channel.pipeline()} here;
     * channelActive follows once the handshake completes. The channel is a
     * {@link io.netty.channel.socket.DuplexChannel}: {@code ChannelOption.ALLOW_HALF_CLOSURE} makes the guest's
     * FIN a {@code ChannelInputShutdownEvent} instead of a close. Called on the network loop: do not block.
     */
    void accept(Channel channel);
}
