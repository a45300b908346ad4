package io.tapvsock.stack.icmp;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.stack.core.IdleFlowTable;

/**
 * One guest echo flow and the host socket that carries it: a ping socket of its own (the kernel picked its
 * identifier), or the shared raw socket with an identifier the forwarder picked. Network loop only.
 */
final class EchoFlow extends IdleFlowTable.Flow {

    final EchoFlowKey key;
    /** The destination on the host after NAT, as IPv4 bits. */
    final int hostAddress;
    final IcmpSocket socket;
    /** The identifier on the wire for a raw socket; -1 for a ping socket, whose kernel keeps it. */
    final int hostIdentifier;
    long requests;
    long replies;

    EchoFlow(EchoFlowKey key, int hostAddress, IcmpSocket socket, int hostIdentifier) {
        this.key = key;
        this.hostAddress = hostAddress;
        this.socket = socket;
        this.hostIdentifier = hostIdentifier;
    }

    @Override
    public String toString() {
        return key + " via " + new Ipv4Address(hostAddress) + " (" + socket.kind.name().toLowerCase(java.util.Locale.ROOT)
                + (hostIdentifier >= 0 ? " id " + hostIdentifier : "") + ")";
    }
}
