package io.tapvsock.stack.net;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.core.StackContext;
import io.tapvsock.stack.link.SwitchPort;
import io.tapvsock.stack.wire.Checksum;
import io.tapvsock.stack.wire.EthernetHeader;
import io.tapvsock.stack.wire.Ipv4Header;
import io.tapvsock.stack.wire.UdpHeader;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The gateway's network interface: frames the switch hands up (unicast to the gateway MAC, and broadcasts) are
 * demultiplexed to ARP or validated as IPv4 and passed, transport checksum verified, to ICMP, UDP or TCP. Read
 * RFC 791, RFC 1122 §3.2.1 and §3.3.6 (what a host accepts), RFC 768 and RFC 9293 §3.1 (the pseudo-header
 * checksums) before editing. Every refusal is counted by reason. Network loop only.
 */
public final class GatewayNic {

    private static final int TCP_MIN_HEADER = 20;

    private final StackContext context;
    private final NeighbourTable neighbours;
    private final ArpHandler arp;
    private final IcmpEcho icmp;
    private final TransportDispatch transport;
    private final Ipv4Header ip = new Ipv4Header();
    private final UdpHeader udp = new UdpHeader();
    private GatewayAddresses addresses;

    private long ipPacketsReceived;
    private long ipPacketsDelivered;
    private long ipMalformed;
    private long ipFragments;
    private long ipInvalidSource;
    private long ipInvalidDestination;
    private long ipUnknownProtocol;
    private long udpPacketsReceived;
    private long udpMalformed;
    private long udpChecksumErrors;
    private long tcpSegmentsReceived;
    private long tcpChecksumErrors;
    private long tcpMalformed;

    public GatewayNic(StackContext context, NeighbourTable neighbours, ArpHandler arp, IcmpEcho icmp,
            TransportDispatch transport, GatewayAddresses addresses) {
        this.context = context;
        this.neighbours = neighbours;
        this.arp = arp;
        this.icmp = icmp;
        this.transport = transport;
        this.addresses = addresses;
    }

    public void configure(GatewayAddresses addresses) {
        this.addresses = addresses;
    }

    /**
     * One frame for the gateway; the switch has checked its length and EtherType.
     *
     * @param frame borrowed: not retained after return. Its indexes may be moved (to hand the transport layer
     *     exactly its bytes); callers must not rely on them afterwards.
     * @param offloaded the guest left its TCP/UDP checksum to offload: not verified
     */
    public void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
        int start = frame.readerIndex();
        int len = frame.readableBytes();
        switch (frame.getUnsignedShort(start + 12)) {
            case EthernetHeader.TYPE_ARP -> arp.receive(from, frame, start + EthernetHeader.LENGTH, len - EthernetHeader.LENGTH);
            case EthernetHeader.TYPE_IPV4 -> ipv4(from, frame, start, len, offloaded);
            case EthernetHeader.TYPE_VLAN -> context.drop("ethernet-vlan-unsupported"); // switched between guests only
            default -> context.drop("ethernet-unknown-type");
        }
    }

    private void ipv4(SwitchPort from, ByteBuf frame, int start, int len, boolean offloaded) {
        ipPacketsReceived++;
        String problem = ip.wrapChecked(frame, start + EthernetHeader.LENGTH, len - EthernetHeader.LENGTH);
        if (problem == null) {
            problem = ip.judge();
        }
        if (problem != null) {
            if (problem.equals("ipv4-fragment")) {
                ipFragments++;
            } else {
                ipMalformed++;
            }
            context.drop(problem);
            return;
        }
        int source = ip.source();
        int destination = ip.destination();
        long sourceMac = EthernetHeader.getMac(frame, start + 6);
        if (isGroupAddress(source) || addresses.isGatewayAddress(source)) {
            ipInvalidSource++;
            context.drop("ipv4-bad-source"); // RFC 1122 §3.2.1.3: never a broadcast/multicast source
            return;
        }
        if (isGroupAddress(destination) && !addresses.isBroadcast(destination)) {
            ipInvalidDestination++;
            context.drop("ipv4-multicast-unsupported");
            return;
        }
        boolean broadcast = addresses.isBroadcast(destination);
        if (!broadcast && EthernetHeader.isMulticast(EthernetHeader.getMac(frame, start))) {
            ipInvalidDestination++;
            context.drop("ipv4-unicast-in-link-broadcast"); // RFC 1122 §3.3.6
            return;
        }
        if (source != 0 && addresses.inSubnet(source) && !neighbours.learn(source, sourceMac, from)) {
            context.drop("neighbour-table-full");
        }
        int l4Offset = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        switch (ip.protocol()) {
            case Ipv4Header.PROTOCOL_ICMP -> {
                ipPacketsDelivered++;
                icmp.receive(sourceMac, source, destination, addresses.isGatewayAddress(destination), ip.ttl(), frame,
                        l4Offset, l4Length);
            }
            case Ipv4Header.PROTOCOL_UDP -> udp(sourceMac, source, destination, frame, start + EthernetHeader.LENGTH,
                    l4Offset, l4Length, offloaded);
            case Ipv4Header.PROTOCOL_TCP -> {
                if (broadcast) {
                    ipInvalidDestination++;
                    context.drop("tcp-broadcast");
                    return;
                }
                tcp(source, destination, frame, l4Offset, l4Length, offloaded);
            }
            default -> {
                ipUnknownProtocol++;
                context.drop("ipv4-unknown-protocol");
            }
        }
    }

    private void udp(long sourceMac, int source, int destination, ByteBuf frame, int ipOffset, int off, int len,
            boolean offloaded) {
        udpPacketsReceived++;
        String problem = udp.wrapChecked(frame, off, len);
        if (problem != null) {
            udpMalformed++;
            context.drop(problem);
            return;
        }
        if (!offloaded && !udp.checksumValid(source, destination)) {
            udpChecksumErrors++;
            context.drop("udp-bad-checksum");
            return;
        }
        ipPacketsDelivered++;
        int payload = udp.payloadOffset();
        frame.setIndex(payload, payload + udp.payloadLength());
        transport.udp(sourceMac, source, udp.sourcePort(), destination, udp.destinationPort(), frame, ipOffset);
    }

    private void tcp(int source, int destination, ByteBuf frame, int off, int len, boolean offloaded) {
        tcpSegmentsReceived++;
        if (len < TCP_MIN_HEADER) {
            tcpMalformed++;
            context.drop("tcp-truncated");
            return;
        }
        long sum = Checksum.ipv4PseudoHeader(source, destination, Ipv4Header.PROTOCOL_TCP, len);
        if (!offloaded && !Checksum.verifies(Checksum.add(frame, off, len, sum))) {
            tcpChecksumErrors++;
            context.drop("tcp-bad-checksum");
            return;
        }
        ipPacketsDelivered++;
        frame.setIndex(off, off + len);
        transport.tcp(source, destination, frame);
    }

    /** 224.0.0.0/4 and 255.255.255.255 (also class E, 240/4, which nobody may use as an address). */
    private static boolean isGroupAddress(int ip) {
        return (ip & 0xE0000000) == 0xE0000000;
    }

    /** Input counters for /stats under "IP". */
    public Map<String, Object> ipSnapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("PacketsReceived", ipPacketsReceived);
        snapshot.put("PacketsDelivered", ipPacketsDelivered);
        snapshot.put("MalformedPacketsReceived", ipMalformed);
        snapshot.put("MalformedFragmentsReceived", ipFragments);
        snapshot.put("InvalidSourceAddressesReceived", ipInvalidSource);
        snapshot.put("InvalidDestinationAddressesReceived", ipInvalidDestination);
        snapshot.put("UnknownProtocolReceived", ipUnknownProtocol);
        return snapshot;
    }

    /** Input counters for /stats under "UDP". */
    public Map<String, Object> udpSnapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("PacketsReceived", udpPacketsReceived);
        snapshot.put("MalformedPacketsReceived", udpMalformed);
        snapshot.put("ChecksumErrors", udpChecksumErrors);
        return snapshot;
    }

    /** Input counters merged into /stats "TCP" next to TcpNat's own. */
    public Map<String, Object> tcpSnapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("SegmentsReceived", tcpSegmentsReceived);
        snapshot.put("ChecksumErrors", tcpChecksumErrors);
        snapshot.put("InvalidSegmentsReceived", tcpMalformed);
        return snapshot;
    }
}
