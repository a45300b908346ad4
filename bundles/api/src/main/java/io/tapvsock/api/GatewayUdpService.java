package io.tapvsock.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A UDP service on the gateway address (DHCP on 67, DNS on 53), registered as an OSGi service with the
 * integer property {@value #PORT}. The stack delivers every guest datagram addressed to the gateway IP (or,
 * for DHCP, to the limited broadcast address) on that port. Called on the network loop: do not block.
 */
@ConsumerType
public interface GatewayUdpService {

    /** Service property: the UDP port served. */
    String PORT = "tapvsock.udp.port";

    /**
     * One datagram from a guest.
     *
     * @param datagram its payload is borrowed: not retained after return
     * @param replier sends answers from the gateway, from the port the datagram was addressed to
     */
    void receive(UdpDatagram datagram, UdpReplier replier);
}
