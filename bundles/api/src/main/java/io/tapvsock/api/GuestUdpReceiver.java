package io.tapvsock.api;

import org.osgi.annotation.versioning.ConsumerType;

/** Gets the datagrams guests send to a {@link GuestUdpEndpoint}. */
@ConsumerType
@FunctionalInterface
public interface GuestUdpReceiver {

    /**
     * One datagram from a guest. Called on the network loop: do not block.
     *
     * @param datagram its payload is borrowed: not retained after return
     */
    void receive(UdpDatagram datagram);
}
