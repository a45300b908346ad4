package io.tapvsock.stack.icmp;

import io.tapvsock.api.Ipv4Address;

/**
 * One guest echo flow and the host socket that carries it: a ping socket of its own (the kernel picked its
 * identifier), or the shared raw socket with an identifier the forwarder picked. Network loop only.
 */
final class EchoFlow {

    final EchoFlowKey key;
    /** The destination on the host after NAT, as IPv4 bits. */
    final int hostAddress;
    final IcmpSocket socket;
    /** The identifier on the wire for a raw socket; -1 for a ping socket, whose kernel keeps it. */
    final int hostIdentifier;
    /** Nanos (the stack's clock) of the last request or reply; the flow table is ordered by it. */
    long lastUsed;
    long requests;
    long replies;

    EchoFlow(EchoFlowKey key, int hostAddress, IcmpSocket socket, int hostIdentifier, long now) {
        this.key = key;
        this.hostAddress = hostAddress;
        this.socket = socket;
        this.hostIdentifier = hostIdentifier;
        this.lastUsed = now;
    }

    @Override
    public String toString() {
        return key + " via " + new Ipv4Address(hostAddress) + " (" + socket.kind.name().toLowerCase(java.util.Locale.ROOT)
                + (hostIdentifier >= 0 ? " id " + hostIdentifier : "") + ")";
    }
}
