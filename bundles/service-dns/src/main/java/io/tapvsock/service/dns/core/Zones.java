package io.tapvsock.service.dns.core;

import io.tapvsock.api.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The local zones, in order. Lookups run on the network loop without a lock (they read an immutable list
 * through a volatile field); changes from the API, the shell and ConfigAdmin replace the list under a lock.
 *
 * <p>Matching is gvproxy's (pkg/services/dns): zones in order; a name is in zone Z when it ends with "." + Z;
 * the part before is compared with each record's name or searched with its regexp; the first hit answers,
 * else the zone's DefaultIP, else NXDOMAIN. Beyond gvproxy: names compare case-insensitively (RFC 4343), and a
 * non-A question for a name that exists gets NODATA instead of being forwarded upstream (where it would be
 * NXDOMAIN, contradicting our A answer).
 */
public final class Zones {

    private volatile List<Zone> zones;

    public Zones(List<Zone> initial) {
        this.zones = List.copyOf(initial);
    }

    /** The zones now, in lookup order. Any thread. */
    public List<Zone> list() {
        return zones;
    }

    /**
     * What the zones say about a name.
     *
     * @param name as decoded from the question, with its trailing dot
     */
    public Resolution resolve(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.endsWith(".")) {
            lower = lower + ".";
        }
        for (Zone zone : zones) {
            String suffix = zone.suffix();
            if (lower.length() > suffix.length() && lower.endsWith(suffix)) {
                Ipv4Address address = zone.lookup(lower.substring(0, lower.length() - suffix.length()));
                return address == null ? Resolution.NO_SUCH_NAME : new Resolution.Address(address);
            }
        }
        return Resolution.NOT_LOCAL;
    }

    /** Adds a zone as gvproxy's POST /services/dns/add does: merged into a zone of that name, else appended. */
    public synchronized void add(Zone zone) {
        List<Zone> next = new ArrayList<>(zones);
        for (int i = 0; i < next.size(); i++) {
            if (next.get(i).sameName(zone.name())) {
                next.set(i, next.get(i).mergedWith(zone));
                zones = List.copyOf(next);
                return;
            }
        }
        next.add(zone);
        zones = List.copyOf(next);
    }

    /** Removes a whole zone; false when there is none of that name. */
    public synchronized boolean remove(String zoneName) {
        List<Zone> next = new ArrayList<>(zones);
        boolean removed = next.removeIf(zone -> zone.sameName(zoneName));
        zones = List.copyOf(next);
        return removed;
    }

    /** Removes every record of a name (or regexp text) from a zone; returns how many went. */
    public synchronized int removeRecord(String zoneName, String recordName) {
        List<Zone> next = new ArrayList<>(zones);
        int removed = 0;
        for (int i = 0; i < next.size(); i++) {
            Zone zone = next.get(i);
            if (zone.sameName(zoneName)) {
                List<ZoneRecord> records = new ArrayList<>(zone.records());
                int before = records.size();
                records.removeIf(record -> record.name().equalsIgnoreCase(recordName)
                        || recordName.equals(record.regexpText()));
                removed += before - records.size();
                next.set(i, new Zone(zone.name(), records, zone.defaultIp()));
            }
        }
        zones = List.copyOf(next);
        return removed;
    }

    /** Replaces every zone (a new configuration). */
    public synchronized void replaceAll(List<Zone> replacement) {
        zones = List.copyOf(replacement);
    }
}
