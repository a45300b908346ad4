package io.tapvsock.stack.wire;

/**
 * The IPv4 header fields the stack uses (RFC 791). Emitted headers have no options, DF set and Identification 0,
 * which RFC 6864 §4.1 allows for atomic datagrams; the stack never fragments.
 *
 * @param source 32-bit big-endian address
 * @param destination 32-bit big-endian address
 * @param payloadLength bytes after the header
 */
public record Ipv4Repr(int source, int destination, int protocol, int payloadLength, int ttl) {

    /** The TTL of every datagram the stack sends (Linux's default). */
    public static final int DEFAULT_TTL = 64;

    /** Judges the header: version, checksum, fragments ({@link Ipv4Header#judge}). Options are skipped. */
    public static Ipv4Repr parse(Ipv4Header header) {
        String problem = header.judge();
        if (problem != null) {
            throw new WireException(problem);
        }
        return new Ipv4Repr(header.source(), header.destination(), header.protocol(), header.payloadLength(),
                header.ttl());
    }

    /** Writes a 20-byte header with its checksum. */
    public void emit(Ipv4Header header) {
        header.setHeaderLength(Ipv4Header.MIN_LENGTH);
        header.setDscpEcn(0);
        header.setTotalLength(Ipv4Header.MIN_LENGTH + payloadLength);
        header.setIdentification(0);
        header.setFlagsAndFragmentOffset(Ipv4Header.FLAG_DONT_FRAGMENT);
        header.setTtl(ttl);
        header.setProtocol(protocol);
        header.setSource(source);
        header.setDestination(destination);
        header.fillChecksum();
    }

    public int headerLen() {
        return Ipv4Header.MIN_LENGTH;
    }
}
