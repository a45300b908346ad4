package io.tapvsock.service.dhcp;

import io.tapvsock.service.dhcp.core.LeaseEntry;
import java.util.List;

/** The DHCP component's lease list, a service inside this bundle for the routes and the shell command. */
public interface DhcpLeases {

    /** The gateway and every current lease, sorted by address. Any thread. */
    List<LeaseEntry> leases();
}
