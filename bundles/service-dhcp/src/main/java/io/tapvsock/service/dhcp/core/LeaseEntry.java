package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.time.Instant;

/**
 * One line of the leases API and shell command.
 *
 * @param expires when a dynamic lease ends; null for the gateway and static leases
 */
public record LeaseEntry(Ipv4Address address, MacAddress mac, Kind kind, Instant expires) {

    public enum Kind {
        /** The gateway itself (gvproxy lists it). */
        GATEWAY,
        /** From the staticLeases configuration; listed whether or not the client has asked yet, as gvproxy does. */
        STATIC,
        /** Allocated from the pool and acknowledged. */
        DYNAMIC
    }
}
