package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.link.Switch;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.Ipv4Repr;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Packets from the gateway to a guest: an Ethernet and IPv4 header in one small pooled buffer, composed with the
 * transport buffer (no copy of the payload), handed to the switch. The destination MAC comes from the neighbour
 * table; a packet for an unknown guest address is held (see {@link HeldPackets}) and the address asked for with
 * ARP, and it goes out as soon as the guest is heard from. Read RFC 791 and RFC 894 before editing. Network
 * loop only.
 */
public final class Ipv4Output {

    private static final int HEADERS_LENGTH = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;

    private final StackContext context;
    private final Switch switch_;
    private final NeighbourTable neighbours;
    private final ArpHandler arp;
    private final EthernetHeader ethernet = new EthernetHeader();
    private final Ipv4Header ip = new Ipv4Header();
    private GatewayAddresses addresses;
    private final HeldPackets held = new HeldPackets();

    private long packetsSent;
    private long outgoingPacketErrors;

    public Ipv4Output(StackContext context, Switch switch_, NeighbourTable neighbours, ArpHandler arp,
            GatewayAddresses addresses) {
        this.context = context;
        this.switch_ = switch_;
        this.neighbours = neighbours;
        this.arp = arp;
        this.addresses = addresses;
    }

    public void configure(GatewayAddresses addresses) {
        this.addresses = addresses;
    }

    /**
     * Sends to the guest that owns {@code destination}.
     *
     * @param l4 transferred: callee releases. Transport header and payload, checksum set.
     */
    public void send(int source, int destination, int protocol, ByteBuf l4) {
        long mac = neighbours.macOf(destination);
        if (mac >= 0) {
            sendTo(mac, source, destination, protocol, l4);
        } else if (addresses.inSubnet(destination) && !addresses.isBroadcast(destination)) {
            held.hold(source, destination, protocol, l4);
            arp.request(destination);
        } else {
            l4.release();
            outgoingPacketErrors++;
            context.drop("ipv4-no-neighbour");
        }
    }

    /** The neighbour table learned (or relearned) {@code address}: what was held for it goes out now. */
    public void neighbourLearned(int address) {
        if (held.isEmpty()) {
            return; // the common case, on every datagram a guest sends
        }
        ArrayDeque<HeldPackets.Held> packets = held.take(address);
        if (packets == null) {
            return;
        }
        long mac = neighbours.macOf(address);
        for (HeldPackets.Held packet : packets) {
            sendTo(mac, packet.source(), address, packet.protocol(), packet.l4());
        }
    }

    /** Releases every held packet (the network stops, or its subnet changed). */
    public void dropHeld() {
        held.clear();
    }

    /**
     * Sends in a frame for {@code mac} (the broadcast MAC reaches every port), whatever the neighbour table says:
     * for replies to a guest that has no address yet (DHCP) or whose frame is at hand (ICMP echo).
     *
     * @param l4 transferred: callee releases
     */
    public void sendTo(long mac, int source, int destination, int protocol, ByteBuf l4) {
        if (Ipv4Header.MIN_LENGTH + l4.readableBytes() > addresses.mtu()) {
            l4.release();
            outgoingPacketErrors++;
            context.drop("ipv4-exceeds-mtu"); // the stack never fragments (RFC 791 DF set)
            return;
        }
        packetsSent++;
        switch_.sendFromGateway(mac, frame(mac, source, destination, protocol, l4));
    }

    /** True when the guest that owns {@code destination} sits behind a link with TCP segmentation offload. */
    public boolean segmentsTcpToward(int destination) {
        long mac = neighbours.macOf(destination);
        return mac >= 0 && switch_.segmentsTcp(mac);
    }

    /**
     * Sends a TCP super-segment for the guest's link to cut into {@code segmentSize}-byte segments; it may exceed
     * the MTU, up to IPv4's 64 KiB.
     *
     * @param l4 transferred: callee releases. Its TCP checksum field holds the pseudo-header sum only.
     */
    public void sendTcpSegmented(int source, int destination, ByteBuf l4, int segmentSize) {
        long mac = neighbours.macOf(destination);
        if (mac < 0 || Ipv4Header.MIN_LENGTH + l4.readableBytes() > Ipv4Header.MAX_LENGTH) {
            l4.release();
            outgoingPacketErrors++;
            context.drop(mac < 0 ? "ipv4-no-neighbour" : "ipv4-exceeds-mtu");
            return;
        }
        packetsSent++;
        switch_.sendSegmentedFromGateway(mac, frame(mac, source, destination, Ipv4Header.PROTOCOL_TCP, l4),
                segmentSize, addresses.mtu());
    }

    /** @param l4 transferred: becomes part of the frame returned (transferred: caller releases) */
    private ByteBuf frame(long mac, int source, int destination, int protocol, ByteBuf l4) {
        int l4Length = l4.readableBytes();
        ByteBuf headers = context.alloc().directBuffer(HEADERS_LENGTH, HEADERS_LENGTH);
        ethernet.wrapUnchecked(headers, 0, EthernetHeader.LENGTH);
        ethernet.setDestination(mac);
        ethernet.setSource(addresses.gatewayMac());
        ethernet.setEtherType(EthernetHeader.TYPE_IPV4);
        ip.wrapUnchecked(headers, EthernetHeader.LENGTH, Ipv4Header.MIN_LENGTH);
        ip.setHeaderLength(Ipv4Header.MIN_LENGTH);
        ip.setDscpEcn(0);
        ip.setTotalLength(Ipv4Header.MIN_LENGTH + l4Length);
        ip.setIdentification(0); // RFC 6864 §4.1: atomic datagrams may use any value
        ip.setFlagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT);
        ip.setTtl(Ipv4Repr.DEFAULT_TTL);
        ip.setProtocol(protocol);
        ip.setSource(source);
        ip.setDestination(destination);
        ip.fillChecksum();
        headers.writerIndex(HEADERS_LENGTH);
        CompositeByteBuf frame = context.alloc().compositeDirectBuffer(2);
        frame.addComponents(true, headers, l4);
        return frame;
    }

    /** Output counters for /stats under "IP". */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("PacketsSent", packetsSent);
        snapshot.put("OutgoingPacketErrors", outgoingPacketErrors + held.dropped());
        return snapshot;
    }
}
