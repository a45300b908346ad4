package io.tapvsock.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Exchanges UDP with guests from endpoints inside the virtual network, as UDP port forwarding does; published by
 * the stack bundle next to {@link VirtualNetwork}. An endpoint is an address and port the guests see as a peer:
 * datagrams they send to it reach its receiver instead of the NAT.
 */
@ProviderType
public interface GuestUdpConnector {

    /**
     * Opens an endpoint. Any thread may call this.
     *
     * @param local    the address and port guests see (any IPv4 address, e.g. a forwarded client's); port 0
     *                 picks a free one
     * @param receiver gets every datagram guests send to it, on the network loop
     * @throws java.net.BindException   when another endpoint has that address and port
     * @throws IllegalArgumentException when {@code local} is not an IPv4 address
     */
    GuestUdpEndpoint open(InetSocketAddress local, GuestUdpReceiver receiver) throws IOException;
}
