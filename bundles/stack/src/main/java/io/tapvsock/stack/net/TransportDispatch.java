package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;

/**
 * Where the gateway NIC hands verified transport packets: the stack wires it to the gateway services, UDP NAT,
 * TCP NAT and ICMP echo forwarding. IPv4 header and transport checksum have been verified. Network loop only.
 */
public interface TransportDispatch {

    /**
     * One UDP datagram from a guest.
     *
     * @param payload borrowed: not retained after return. readerIndex at the payload, readableBytes its length.
     * @param ipHeaderOffset where the datagram's IPv4 header starts in {@code payload}'s buffer: the IP and UDP
     *     headers are {@code [ipHeaderOffset, payload.readerIndex())}, which an ICMP error about it quotes
     */
    void udp(long sourceMac, int source, int sourcePort, int destination, int destinationPort, ByteBuf payload,
            int ipHeaderOffset);

    /**
     * One TCP segment from a guest.
     *
     * @param segment borrowed: not retained after return. readerIndex at the TCP header, readableBytes the TCP length.
     */
    void tcp(int source, int destination, ByteBuf segment);

    /**
     * One ICMP echo request from a guest to a destination that is not the gateway or one of its virtual IPs.
     *
     * @param message borrowed: not retained after return. readerIndex at the ICMP header, readableBytes the
     *     message; type 8, code 0, checksum verified.
     * @param ttl the TTL of the guest's packet
     */
    void icmpEchoRequest(int source, int destination, int ttl, ByteBuf message);
}
