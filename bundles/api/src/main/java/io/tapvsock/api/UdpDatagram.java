package io.tapvsock.api;

import io.netty.buffer.ByteBuf;

/**
 * A UDP datagram from a guest, as a gateway service sees it.
 *
 * @param payload borrowed: not retained after the call it was passed to returns
 */
public record UdpDatagram(MacAddress sourceMac, Ipv4Address source, int sourcePort, Ipv4Address destination,
        int destinationPort, ByteBuf payload) {
}
