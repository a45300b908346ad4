package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Builds the UDP part of a datagram for a guest (RFC 768): an 8-byte header buffer with the checksum filled in,
 * composed with the payload, which is not copied. One per user (it reuses its header view). Network loop only.
 */
public final class UdpComposer {

    private final UdpHeader header = new UdpHeader();

    /**
     * @param payload transferred: callee releases
     * @return the header composed with the payload; transferred: the caller sends or releases it
     */
    public ByteBuf compose(ByteBufAllocator alloc, int source, int sourcePort, int destination, int destinationPort,
            ByteBuf payload) {
        int length = payload.readableBytes();
        ByteBuf udp = alloc.directBuffer(UdpHeader.LENGTH, UdpHeader.LENGTH);
        header.wrapUnchecked(udp, 0, UdpHeader.LENGTH);
        header.setSourcePort(sourcePort);
        header.setDestinationPort(destinationPort);
        header.setLength(UdpHeader.LENGTH + length);
        header.fillChecksum(source, destination, payload, payload.readerIndex(), length);
        udp.writerIndex(UdpHeader.LENGTH);
        CompositeByteBuf l4 = alloc.compositeDirectBuffer(2);
        l4.addComponents(true, udp, payload);
        return l4;
    }
}
