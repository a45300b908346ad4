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
}
