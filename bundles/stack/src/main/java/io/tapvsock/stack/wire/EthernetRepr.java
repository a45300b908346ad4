package io.tapvsock.stack.wire;

/**
 * The fields of an Ethernet II header (IEEE 802.3, RFC 894). MAC addresses are the low 48 bits of a long.
 */
public record EthernetRepr(long destination, long source, int etherType) {

    /** Every EtherType is representable: the switch and the gateway decide what they accept. */
    public static EthernetRepr parse(EthernetHeader header) {
        return new EthernetRepr(header.destination(), header.source(), header.etherType());
    }

    public void emit(EthernetHeader header) {
        header.setDestination(destination);
        header.setSource(source);
        header.setEtherType(etherType);
    }

    public int headerLen() {
        return EthernetHeader.LENGTH;
    }
}
