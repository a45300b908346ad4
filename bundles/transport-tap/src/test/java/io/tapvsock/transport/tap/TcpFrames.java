package io.tapvsock.transport.tap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.tapvsock.stack.wire.Checksum;

/**
 * Hand-built Ethernet + IPv4 + TCP frames for the tests (no options, DF set, TTL 64), with either a complete TCP
 * checksum or only the pseudo-header sum that checksum offload completes. RFC 791 §3.1, RFC 9293 §3.1.
 */
final class TcpFrames {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int HEADERS = 14 + 20 + 20;

    private TcpFrames() {
    }

    /**
     * @param complete true: a full TCP checksum; false: the folded, uncomplemented pseudo-header sum only
     * @return transferred: the caller releases (a direct buffer)
     */
    static ByteBuf build(ByteBufAllocator alloc, long destinationMac, long sourceMac, int sourceIp,
            int destinationIp, int sourcePort, int destinationPort, long seq, long ack, int flags, byte[] payload,
            boolean complete) {
        int tcpLength = 20 + payload.length;
        ByteBuf frame = alloc.directBuffer(HEADERS + payload.length);
        frame.writeShort((int) (destinationMac >>> 32)).writeInt((int) destinationMac);
        frame.writeShort((int) (sourceMac >>> 32)).writeInt((int) sourceMac);
        frame.writeShort(0x0800);
        int ip = frame.writerIndex();
        frame.writeByte(0x45).writeByte(0).writeShort(20 + tcpLength).writeShort(0).writeShort(0x4000)
                .writeByte(64).writeByte(6).writeShort(0).writeInt(sourceIp).writeInt(destinationIp);
        frame.setShort(ip + 10, Checksum.compute(frame, ip, 20));
        int tcp = frame.writerIndex();
        frame.writeShort(sourcePort).writeShort(destinationPort).writeInt((int) seq).writeInt((int) ack)
                .writeByte(5 << 4).writeByte(flags).writeShort(65535).writeShort(0).writeShort(0);
        frame.writeBytes(payload);
        long pseudo = Checksum.ipv4PseudoHeader(sourceIp, destinationIp, 6, tcpLength);
        frame.setShort(tcp + 16, complete ? Checksum.finish(Checksum.add(frame, tcp, tcpLength, pseudo))
                : Checksum.fold(pseudo));
        return frame;
    }
}
