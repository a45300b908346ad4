package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.osgi.annotation.versioning.ProviderType;

/** Sends UDP from the gateway to a guest. Network loop only; valid only during the call it was passed to. */
@ProviderType
public interface UdpReplier {

    /** The allocator to build payloads with (pooled, direct). */
    ByteBufAllocator alloc();

    /**
     * Sends one datagram from gatewayIP:(the port the request came to) to destination:destinationPort, in an
     * Ethernet frame for destinationMac ({@link MacAddress#BROADCAST} for a client without an address yet).
     *
     * @param payload transferred: callee releases
     */
    void send(MacAddress destinationMac, Ipv4Address destination, int destinationPort, ByteBuf payload);

    /**
     * A replier for answers that come after the call returns (a DNS answer relayed from an upstream server): the
     * same source address and port, usable on the network loop for as long as the network runs; each datagram
     * goes out at once. Call it during the call this replier was passed to.
     */
    UdpReplier forLater();
}
