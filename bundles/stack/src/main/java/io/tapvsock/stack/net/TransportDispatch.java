package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;

/**
 * Where the gateway NIC hands verified transport packets: the stack wires it to the gateway services, UDP NAT
 * and TCP NAT. IPv4 header and transport checksum have been verified. Network loop only.
 */
public interface TransportDispatch {

    /**
     * One UDP datagram from a guest.
     *
     * @param payload borrowed: not retained after return. readerIndex at the payload, readableBytes its length.
     */
    void udp(long sourceMac, int source, int sourcePort, int destination, int destinationPort, ByteBuf payload);

    /**
     * One TCP segment from a guest.
     *
     * @param segment borrowed: not retained after return. readerIndex at the TCP header, readableBytes the TCP length.
     */
    void tcp(int source, int destination, ByteBuf segment);
}
