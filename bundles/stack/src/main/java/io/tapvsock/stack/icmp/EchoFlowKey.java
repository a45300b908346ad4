package io.tapvsock.stack.icmp;

import io.tapvsock.api.Ipv4Address;

/**
 * A guest's echo flow: its source address, the destination it addressed (before NAT) and the identifier it put
 * in its echo requests (RFC 792: the identifier is what matches replies to one pinging process).
 */
public record EchoFlowKey(int source, int destination, int identifier) {

    @Override
    public String toString() {
        return new Ipv4Address(source) + " -> " + new Ipv4Address(destination) + " id " + identifier;
    }
}
