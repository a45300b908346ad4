package io.tapvsock.stack.wire;

/** A UDP header (RFC 768); the payload stays in its buffer. */
public record UdpRepr(int sourcePort, int destinationPort, int payloadLength) {

    /**
     * Judges the checksum with the IPv4 pseudo-header of {@code source} and {@code destination}; 0 means the
     * sender did not compute one (RFC 768), which IPv4 allows.
     */
    public static UdpRepr parse(UdpHeader header, int source, int destination) {
        if (!header.checksumValid(source, destination)) {
            throw new WireException("udp-bad-checksum");
        }
        return new UdpRepr(header.sourcePort(), header.destinationPort(), header.payloadLength());
    }

    /** Writes the header and the checksum; the payload must already follow the header in the view's buffer. */
    public void emit(UdpHeader header, int source, int destination) {
        header.setSourcePort(sourcePort);
        header.setDestinationPort(destinationPort);
        header.setLength(UdpHeader.LENGTH + payloadLength);
        header.fillChecksum(source, destination);
    }

    public int headerLen() {
        return UdpHeader.LENGTH;
    }
}
