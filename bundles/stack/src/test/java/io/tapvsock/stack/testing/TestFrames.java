package io.tapvsock.stack.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.ArpPacket;
import io.tapvsock.stack.wire.ArpRepr;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.EthernetRepr;
import io.tapvsock.stack.wire.IcmpHeader;
import io.tapvsock.stack.wire.IcmpRepr;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.Ipv4Repr;
import io.tapvsock.stack.wire.UdpHeader;
import io.tapvsock.stack.wire.UdpRepr;

/** Builds guest frames as byte arrays, with gvproxy's default addresses. */
public final class TestFrames {

    public static final long GATEWAY_MAC = 0x5a94efe40cddL;
    public static final long GUEST_MAC = 0x5a94efe40ceeL;
    public static final long OTHER_GUEST_MAC = 0x5a94efe40cffL;
    public static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    public static final int GATEWAY_IP = 0xC0A87F01;
    public static final int GUEST_IP = 0xC0A87F02;
    public static final int OTHER_GUEST_IP = 0xC0A87F03;
    public static final int HOST_IP = 0xC0A87FFE;

    private TestFrames() {
    }

    public static byte[] ethernet(long destination, long source, int etherType, byte[] payload) {
        byte[] frame = new byte[EthernetHeader.LENGTH + payload.length];
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        new EthernetRepr(destination, source, etherType).emit(new EthernetHeader().wrapUnchecked(buf, 0, 14));
        buf.release();
        System.arraycopy(payload, 0, frame, EthernetHeader.LENGTH, payload.length);
        return frame;
    }

    public static byte[] arp(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {
        byte[] packet = new byte[ArpPacket.LENGTH];
        ByteBuf buf = Unpooled.wrappedBuffer(packet);
        new ArpRepr(operation, senderMac, senderIp, targetMac, targetIp).emit(new ArpPacket().wrapUnchecked(buf, 0, 28));
        buf.release();
        return packet;
    }

    /** A broadcast ARP request from the guest. */
    public static byte[] arpRequest(long senderMac, int senderIp, int targetIp) {
        return ethernet(BROADCAST_MAC, senderMac, EthernetHeader.TYPE_ARP,
                arp(ArpPacket.OPERATION_REQUEST, senderMac, senderIp, 0, targetIp));
    }

    public static byte[] ipv4(int source, int destination, int protocol, byte[] l4) {
        byte[] packet = new byte[Ipv4Header.MIN_LENGTH + l4.length];
        ByteBuf buf = Unpooled.wrappedBuffer(packet);
        new Ipv4Repr(source, destination, protocol, l4.length, 64).emit(new Ipv4Header().wrapUnchecked(buf, 0, 20));
        buf.release();
        System.arraycopy(l4, 0, packet, Ipv4Header.MIN_LENGTH, l4.length);
        return packet;
    }

    /** An IPv4 frame from the guest to the gateway MAC. */
    public static byte[] ipv4Frame(int source, int destination, int protocol, byte[] l4) {
        return ethernet(GATEWAY_MAC, GUEST_MAC, EthernetHeader.TYPE_IPV4, ipv4(source, destination, protocol, l4));
    }

    public static byte[] icmpEcho(int type, int identifier, int sequence, byte[] data) {
        byte[] message = new byte[IcmpHeader.LENGTH + data.length];
        System.arraycopy(data, 0, message, IcmpHeader.LENGTH, data.length);
        ByteBuf buf = Unpooled.wrappedBuffer(message);
        new IcmpRepr(type, 0, identifier, sequence, data.length).emit(new IcmpHeader().wrapUnchecked(buf, 0, message.length));
        buf.release();
        return message;
    }

    public static byte[] udp(int source, int destination, int sourcePort, int destinationPort, byte[] payload) {
        byte[] datagram = new byte[UdpHeader.LENGTH + payload.length];
        System.arraycopy(payload, 0, datagram, UdpHeader.LENGTH, payload.length);
        ByteBuf buf = Unpooled.wrappedBuffer(datagram);
        new UdpRepr(sourcePort, destinationPort, payload.length)
                .emit(new UdpHeader().wrapUnchecked(buf, 0, datagram.length), source, destination);
        buf.release();
        return datagram;
    }

    /** A pooled-like direct copy, as a transport would hand the stack. */
    public static ByteBuf direct(byte[] frame) {
        ByteBuf buf = Unpooled.directBuffer(frame.length);
        buf.writeBytes(frame);
        return buf;
    }

    public static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}
