package io.tapvsock.stack.link;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.Checksum;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.Ipv4Header;

/**
 * Frames a guest's kernel left work in for its NIC (virtio-net's NEEDS_CSUM: the TCP or UDP checksum field holds
 * only the pseudo-header sum). Before such a frame goes to another guest, whose link may not offload, the switch
 * completes the checksum here. Read the virtio spec §5.1.6.2 (packet transmission) for the header's meaning.
 */
final class OffloadedFrames {

    private OffloadedFrames() {
    }

    /**
     * Writes the full TCP or UDP checksum of an untagged IPv4 frame; other frames are left as they are.
     *
     * @param frame borrowed: not retained after return; changed in place
     */
    static void completeChecksum(ByteBuf frame) {
        int start = frame.readerIndex();
        int len = frame.readableBytes();
        if (len < EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH
                || frame.getUnsignedShort(start + 12) != EthernetHeader.TYPE_IPV4) {
            return;
        }
        int ip = start + EthernetHeader.LENGTH;
        int headerLength = (frame.getUnsignedByte(ip) & 0x0F) * 4;
        int total = frame.getUnsignedShort(ip + 2);
        if (headerLength < Ipv4Header.MIN_LENGTH || total < headerLength || ip + total > start + len
                || (frame.getUnsignedShort(ip + 6) & 0x3FFF) != 0) {
            return; // malformed or a fragment: the gateway's checks or the receiver will judge it
        }
        int protocol = frame.getUnsignedByte(ip + 9);
        int l4 = ip + headerLength;
        int l4Length = total - headerLength;
        int checksumAt;
        if (protocol == Ipv4Header.PROTOCOL_TCP && l4Length >= 20) {
            checksumAt = l4 + 16;
        } else if (protocol == Ipv4Header.PROTOCOL_UDP && l4Length >= 8) {
            checksumAt = l4 + 6;
        } else {
            return;
        }
        frame.setShort(checksumAt, 0);
        long sum = Checksum.ipv4PseudoHeader(frame.getInt(ip + 12), frame.getInt(ip + 16), protocol, l4Length);
        int checksum = Checksum.finish(Checksum.add(frame, l4, l4Length, sum));
        if (protocol == Ipv4Header.PROTOCOL_UDP && checksum == 0) {
            checksum = 0xFFFF; // RFC 768: zero means "no checksum"
        }
        frame.setShort(checksumAt, checksum);
    }
}
