package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.service.dhcp.wire.DomainSearchList;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The DHCP server's configuration (PID io.tapvsock.dhcp). Every error names its field.
 *
 * @param leaseSeconds option 51 (1..4294967295; the top value means infinite to the client, RFC 2132 §9.2)
 * @param staticLeases fixed addresses, or null for gvproxy's default: the device IP for 5a:94:ef:e4:0c:ee
 * @param searchList option 119 as configured, or null when not configured: then the host's, from {@code resolvConf}
 * @param leaseFile where the table is kept, or null for memory only
 * @param resolvConf the resolv.conf whose search domains go out when {@code searchList} is null
 */
public record DhcpConfig(long leaseSeconds, List<StaticLease> staticLeases, DomainSearchList searchList,
        Path leaseFile, Path resolvConf) {

    public static final String LEASE_SECONDS = "leaseSeconds";
    public static final String STATIC_LEASES = "staticLeases";
    public static final String SEARCH_DOMAINS = "searchDomains";
    public static final String LEASE_FILE = "leaseFile";
    public static final String RESOLV_CONF = "resolvConf";

    public static final long DEFAULT_LEASE_SECONDS = 3600;
    public static final long MAX_LEASE_SECONDS = 0xFFFF_FFFFL;
    public static final String DEFAULT_RESOLV_CONF = "/etc/resolv.conf";

    public DhcpConfig {
        require(leaseSeconds >= 1 && leaseSeconds <= MAX_LEASE_SECONDS, LEASE_SECONDS,
                leaseSeconds + " is outside 1.." + MAX_LEASE_SECONDS);
        staticLeases = staticLeases == null ? null : List.copyOf(staticLeases);
        require(resolvConf != null, RESOLV_CONF, "missing");
    }

    /** gvproxy's defaults: search domains from the host's resolv.conf, the device IP for its guest MAC. */
    public static DhcpConfig defaults() {
        return new DhcpConfig(DEFAULT_LEASE_SECONDS, null, null, null, Path.of(DEFAULT_RESOLV_CONF));
    }

    /** This configuration with another lease file. */
    public DhcpConfig withLeaseFile(Path file) {
        return new DhcpConfig(leaseSeconds, staticLeases, searchList, file, resolvConf);
    }

    /**
     * Reads a configuration dictionary; absent keys take the defaults. List values may be arrays, collections or
     * comma-separated text. An absent searchDomains means the host's; a present but empty one means none.
     *
     * @throws IllegalArgumentException "field: reason"
     */
    public static DhcpConfig fromProperties(Map<String, ?> properties) {
        long leaseSeconds = DEFAULT_LEASE_SECONDS;
        Object lease = properties.get(LEASE_SECONDS);
        if (lease != null && !String.valueOf(lease).isBlank()) {
            try {
                leaseSeconds = Long.parseLong(String.valueOf(lease).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(LEASE_SECONDS + ": \"" + lease + "\" is not a number");
            }
        }
        List<StaticLease> staticLeases = null;
        List<String> entries = list(properties.get(STATIC_LEASES));
        if (entries != null) {
            staticLeases = new ArrayList<>();
            for (String entry : entries) {
                try {
                    staticLeases.add(StaticLease.parse(entry));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(STATIC_LEASES + ": " + e.getMessage(), e);
                }
            }
        }
        DomainSearchList searchList = null;
        try {
            List<String> domains = list(properties.get(SEARCH_DOMAINS));
            if (domains != null) {
                searchList = DomainSearchList.of(domains);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SEARCH_DOMAINS + ": " + e.getMessage(), e);
        }
        Path resolvConf = path(properties, RESOLV_CONF);
        return new DhcpConfig(leaseSeconds, staticLeases, searchList, path(properties, LEASE_FILE),
                resolvConf == null ? Path.of(DEFAULT_RESOLV_CONF) : resolvConf);
    }

    /** A path-valued property, or null when absent or blank. */
    private static Path path(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            return null;
        }
        try {
            return Path.of(String.valueOf(value).trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
        }
    }

    /** The static leases under these settings: the configured ones, or the device IP for gvproxy's guest MAC. */
    public List<StaticLease> staticLeases(NetworkSettings settings) {
        return staticLeases != null ? staticLeases : List.of(new StaticLease(settings.deviceIp(), MacAddress.DEFAULT_DEVICE));
    }

    /**
     * Checks the static leases against the network: each inside the subnet and not its network, broadcast,
     * gateway, host or gateway virtual address; no address or MAC twice.
     *
     * @throws IllegalArgumentException "staticLeases: reason"
     */
    public void validate(NetworkSettings settings) {
        Map<Object, StaticLease> seen = new HashMap<>();
        for (StaticLease lease : staticLeases(settings)) {
            String problem = AddressPlan.problem(lease.address(), settings);
            require(problem == null, STATIC_LEASES, "entry \"" + lease + "\": " + problem);
            require(!lease.mac().isMulticast(), STATIC_LEASES, "entry \"" + lease + "\": " + lease.mac() + " is a multicast MAC");
            StaticLease other = seen.put(lease.address(), lease);
            require(other == null, STATIC_LEASES, "entries \"" + other + "\" and \"" + lease + "\" share an address");
            other = seen.put(lease.mac(), lease);
            require(other == null, STATIC_LEASES, "entries \"" + other + "\" and \"" + lease + "\" share a MAC");
        }
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new IllegalArgumentException(field + ": " + reason);
        }
    }

    /** A list-valued property, or null when absent. */
    private static List<String> list(Object value) {
        if (value == null) {
            return null;
        }
        List<String> items = new ArrayList<>();
        if (value instanceof String[] array) {
            items.addAll(Arrays.asList(array));
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(item -> items.add(String.valueOf(item)));
        } else {
            items.addAll(Arrays.asList(String.valueOf(value).split(",")));
        }
        items.replaceAll(String::trim);
        items.removeIf(String::isEmpty);
        return items;
    }
}
