package io.tapvsock.api;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Opens TCP connections into the virtual network, as port forwarding and tunnels do; published by the stack
 * bundle next to {@link VirtualNetwork}. The stack's own TCP talks to the guest, and each connection is a Netty
 * {@link io.netty.channel.socket.DuplexChannel} on the network loop, so a relay to a host socket is an ordinary
 * pair of Netty channels on one thread.
 */
@ProviderType
public interface GuestTcpConnector {

    /**
     * Opens one connection. Any thread may call this.
     *
     * @param source      the address and port the guest sees the connection come from (any IPv4 address, e.g.
     *                    the real client's); port 0 picks a free one
     * @param destination a guest's address in the subnet, and its port
     * @param handler     added to the channel's pipeline before the SYN goes out
     * @return completes on the network loop: successfully once the guest accepted (the channel is active),
     *     failed with a {@link java.net.ConnectException} when the guest refused or did not answer, or with an
     *     {@link IllegalArgumentException} naming the bad address or port
     */
    ChannelFuture connect(InetSocketAddress source, InetSocketAddress destination, ChannelHandler handler);
}
