package io.tapvsock.service.dns;

import io.tapvsock.service.dns.core.Zone;
import java.util.List;

/** The DNS component's local zones, a service inside this bundle for the API routes and the shell. Any thread. */
public interface DnsZoneRegistry {

    /** The zones in lookup order. */
    List<Zone> zones();

    /** gvproxy's add: merged into the zone of that name (new records first, DefaultIP replaced), else appended. */
    void add(Zone zone);

    /** Removes a zone; false when there is none of that name. */
    boolean removeZone(String name);

    /** Removes every record of that name (or regexp text) from a zone; returns how many. */
    int removeRecord(String zone, String name);
}
