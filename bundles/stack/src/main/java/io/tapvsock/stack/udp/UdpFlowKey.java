package io.tapvsock.stack.udp;

import io.tapvsock.api.Ipv4Address;

/** A guest UDP flow: the guest's source address and port and the destination it addressed (before NAT). */
public record UdpFlowKey(int source, int sourcePort, int destination, int destinationPort) {

    @Override
    public String toString() {
        return new Ipv4Address(source) + ":" + sourcePort + " -> " + new Ipv4Address(destination) + ":" + destinationPort;
    }
}
