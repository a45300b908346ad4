package io.tapvsock.stack.wire;

/**
 * An ARP request or reply for IPv4 over Ethernet (RFC 826). MACs are the low 48 bits of a long, IPv4 addresses
 * are 32-bit big-endian ints.
 */
public record ArpRepr(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {

    /** Judges what {@link ArpPacket#checkLen} cannot: only Ethernet/IPv4 requests and replies are supported. */
    public static ArpRepr parse(ArpPacket packet) {
        if (packet.hardwareType() != ArpPacket.HARDWARE_ETHERNET || packet.hardwareLength() != 6) {
            throw new WireException("arp-unsupported-hardware");
        }
        if (packet.protocolType() != EthernetHeader.TYPE_IPV4 || packet.protocolLength() != 4) {
            throw new WireException("arp-unsupported-protocol");
        }
        int operation = packet.operation();
        if (operation != ArpPacket.OPERATION_REQUEST && operation != ArpPacket.OPERATION_REPLY) {
            throw new WireException("arp-unsupported-operation");
        }
        return new ArpRepr(operation, packet.senderMac(), packet.senderIp(), packet.targetMac(), packet.targetIp());
    }

    public void emit(ArpPacket packet) {
        packet.setHardwareType(ArpPacket.HARDWARE_ETHERNET);
        packet.setProtocolType(EthernetHeader.TYPE_IPV4);
        packet.setHardwareLength(6);
        packet.setProtocolLength(4);
        packet.setOperation(operation);
        packet.setSenderMac(senderMac);
        packet.setSenderIp(senderIp);
        packet.setTargetMac(targetMac);
        packet.setTargetIp(targetIp);
    }

    public int packetLen() {
        return ArpPacket.LENGTH;
    }
}
