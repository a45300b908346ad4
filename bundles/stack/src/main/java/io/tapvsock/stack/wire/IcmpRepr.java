package io.tapvsock.stack.wire;

/**
 * The header of an ICMPv4 echo request or reply (RFC 792). The data is not part of the record: an echo reply
 * carries the request's data unchanged, so it stays in its buffer.
 */
public record IcmpRepr(int type, int code, int identifier, int sequence, int dataLength) {

    /** Only echo messages are representable; the checksum must verify over the whole message. */
    public static IcmpRepr parse(IcmpHeader header) {
        if (!header.checksumValid()) {
            throw new WireException("icmp-bad-checksum");
        }
        int type = header.type();
        if (type != IcmpHeader.TYPE_ECHO_REQUEST && type != IcmpHeader.TYPE_ECHO_REPLY) {
            throw new WireException("icmp-unsupported-type");
        }
        if (header.code() != 0) {
            throw new WireException("icmp-bad-code"); // RFC 792: echo messages have code 0
        }
        return new IcmpRepr(type, 0, header.identifier(), header.sequence(), header.dataLength());
    }

    /** Writes the header and the checksum over header and data; the view must wrap exactly the message. */
    public void emit(IcmpHeader header) {
        header.setType(type);
        header.setCode(code);
        header.setIdentifier(identifier);
        header.setSequence(sequence);
        header.fillChecksum();
    }

    public int messageLen() {
        return IcmpHeader.LENGTH + dataLength;
    }
}
