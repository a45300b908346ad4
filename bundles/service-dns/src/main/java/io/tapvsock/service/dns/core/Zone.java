package io.tapvsock.service.dns.core;

import io.tapvsock.api.Ipv4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A local zone, gvproxy's {@code types.Zone}: records tried in order, then the default address.
 *
 * @param name the zone with its trailing dot ("containers.internal."); one is added when missing
 * @param records tried in order: the first that matches answers
 * @param defaultIp the answer when no record matches, or null: then the name does not exist (NXDOMAIN)
 */
public record Zone(String name, List<ZoneRecord> records, Ipv4Address defaultIp) {

    public Zone {
        if (name == null || name.isBlank() || name.equals(".")) {
            throw new IllegalArgumentException("a zone needs a Name");
        }
        name = name.trim();
        if (!name.endsWith(".")) {
            name = name + ".";
        }
        if (name.startsWith(".")) {
            throw new IllegalArgumentException("zone name \"" + name + "\" starts with a dot");
        }
        records = List.copyOf(records);
    }

    /** Compares zone names as DNS does, case-insensitively. */
    public boolean sameName(String otherName) {
        String other = otherName.endsWith(".") ? otherName : otherName + ".";
        return name.equalsIgnoreCase(other);
    }

    /**
     * gvproxy's {@code /services/dns/add} onto an existing zone: the newer records go first (so they win), and
     * the newer DefaultIP replaces this one.
     */
    public Zone mergedWith(Zone newer) {
        List<ZoneRecord> merged = new ArrayList<>(newer.records);
        merged.addAll(records);
        return new Zone(name, merged, newer.defaultIp);
    }

    /** The suffix a name must end with to be in this zone: "." + name, lower case. */
    String suffix() {
        return "." + name.toLowerCase(Locale.ROOT);
    }

    /** The address for a name inside this zone (prefix without the zone, lower case), or null: no such name. */
    Ipv4Address lookup(String prefix) {
        for (ZoneRecord record : records) {
            if (record.matches(prefix)) {
                return record.ip();
            }
        }
        return defaultIp;
    }
}
