package io.tapvsock.service.forwarder.relay;

import io.tapvsock.api.GuestUdpEndpoint;
import java.net.InetSocketAddress;

/**
 * One host client of a udp forward: the endpoint inside the network that speaks for it to the guest. Network loop
 * only.
 */
final class UdpFlow {

    /** The host client's address and port, where the guest's replies go. */
    final InetSocketAddress client;
    final GuestUdpEndpoint endpoint;
    /** System.nanoTime of the last datagram either way. */
    long lastActive;

    UdpFlow(InetSocketAddress client, GuestUdpEndpoint endpoint, long now) {
        this.client = client;
        this.endpoint = endpoint;
        this.lastActive = now;
    }
}
