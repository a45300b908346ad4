package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.NetworkSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Static lease changes made at runtime (the shell), computed against a configuration dictionary: the result is
 * the new value of {@value DhcpConfig#STATIC_LEASES}, already validated, so a refused change touches nothing.
 */
public final class StaticLeaseEdits {

    private StaticLeaseEdits() {
    }

    /**
     * The static leases of {@code properties} (gvproxy's default when the key is absent) plus {@code lease}.
     *
     * @throws IllegalArgumentException when the address or MAC already has a static lease, or the network refuses it
     */
    public static List<StaticLease> add(Map<String, ?> properties, NetworkSettings settings, StaticLease lease) {
        List<StaticLease> leases = new ArrayList<>(DhcpConfig.fromProperties(properties).staticLeases(settings));
        for (StaticLease existing : leases) {
            if (existing.address().equals(lease.address()) || existing.mac().equals(lease.mac())) {
                throw new IllegalArgumentException("static lease " + existing + " is in the way of " + lease
                        + ": remove it first");
            }
        }
        leases.add(lease);
        return validated(properties, settings, leases);
    }

    /**
     * The static leases of {@code properties} without the one of {@code addressOrMac}.
     *
     * @throws IllegalArgumentException when no static lease has that address or MAC
     */
    public static List<StaticLease> remove(Map<String, ?> properties, NetworkSettings settings, String addressOrMac) {
        List<StaticLease> leases = new ArrayList<>(DhcpConfig.fromProperties(properties).staticLeases(settings));
        boolean removed = leases.removeIf(lease -> lease.address().toString().equals(addressOrMac)
                || lease.mac().toString().equalsIgnoreCase(addressOrMac));
        if (!removed) {
            throw new IllegalArgumentException("no static lease for " + addressOrMac);
        }
        return validated(properties, settings, leases);
    }

    /** The configuration value: "ip=mac" entries. */
    public static String[] toProperty(List<StaticLease> leases) {
        return leases.stream().map(StaticLease::toString).toArray(String[]::new);
    }

    /** The same text as one .cfg value: comma separated. */
    public static String toCfgValue(List<StaticLease> leases) {
        return String.join(",", toProperty(leases));
    }

    private static List<StaticLease> validated(Map<String, ?> properties, NetworkSettings settings,
            List<StaticLease> leases) {
        Map<String, Object> next = new HashMap<>(properties);
        next.put(DhcpConfig.STATIC_LEASES, toProperty(leases));
        DhcpConfig.fromProperties(next).validate(settings);
        return List.copyOf(leases);
    }
}
