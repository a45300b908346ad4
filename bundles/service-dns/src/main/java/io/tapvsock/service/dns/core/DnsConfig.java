package io.tapvsock.service.dns.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The DNS service's configuration (PID io.tapvsock.service.dns), already validated; every error names its key.
 *
 * @param zonesJson the "zones" property as given ("" when absent: gvproxy's default zones)
 * @param zones the zones it holds, or null for the default zones (they depend on the network settings)
 * @param upstreams servers to forward to; empty: the nameservers of {@code resolvConf}
 * @param resolvConf the file read when no upstream is configured
 * @param timeout how long one upstream attempt waits
 * @param attempts upstream attempts per query
 * @param maxInFlight queries upstream at once
 */
public record DnsConfig(String zonesJson, List<Zone> zones, List<InetSocketAddress> upstreams, Path resolvConf,
        Duration timeout, int attempts, int maxInFlight) {

    public static final String ZONES = "zones";
    public static final String UPSTREAMS = "upstreams";
    public static final String RESOLV_CONF = "resolvConf";
    public static final String TIMEOUT_MILLIS = "timeoutMillis";
    public static final String ATTEMPTS = "attempts";
    public static final String MAX_IN_FLIGHT = "maxInFlight";

    public static final String DEFAULT_RESOLV_CONF = "/etc/resolv.conf";
    /** gvproxy's dns.Client waits 2 s. */
    public static final int DEFAULT_TIMEOUT_MILLIS = 2000;
    public static final int DEFAULT_ATTEMPTS = 2;
    public static final int DEFAULT_MAX_IN_FLIGHT = 512;

    public DnsConfig {
        zones = zones == null ? null : List.copyOf(zones);
        upstreams = List.copyOf(upstreams);
    }

    public static DnsConfig defaults() {
        return fromProperties(Map.of());
    }

    /** @throws IllegalArgumentException naming the key, when a value is malformed */
    public static DnsConfig fromProperties(Map<String, ?> properties) {
        String zonesJson = text(properties, ZONES, "");
        List<Zone> zones = null;
        if (!zonesJson.isEmpty()) {
            try {
                zones = ZonesJson.readZones(zonesJson);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(ZONES + ": " + e.getMessage(), e);
            }
        }
        List<InetSocketAddress> upstreams = new ArrayList<>();
        for (String entry : list(properties.get(UPSTREAMS))) {
            upstreams.add(upstream(entry));
        }
        Path resolvConf = Path.of(text(properties, RESOLV_CONF, DEFAULT_RESOLV_CONF));
        int timeoutMillis = integer(properties, TIMEOUT_MILLIS, DEFAULT_TIMEOUT_MILLIS, 1);
        int attempts = integer(properties, ATTEMPTS, DEFAULT_ATTEMPTS, 1);
        int maxInFlight = integer(properties, MAX_IN_FLIGHT, DEFAULT_MAX_IN_FLIGHT, 1);
        return new DnsConfig(zonesJson, zones, upstreams, resolvConf, Duration.ofMillis(timeoutMillis), attempts,
                maxInFlight);
    }

    /** "IP", "IP:PORT", "IPv6", "[IPv6]:PORT": addresses only, never names (resolving them would need us). */
    static InetSocketAddress upstream(String entry) {
        String host = entry;
        int port = 53;
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(UPSTREAMS + ": \"" + entry + "\" lacks its ]");
            }
            host = entry.substring(1, close);
            if (entry.length() > close + 1) {
                if (entry.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException(UPSTREAMS + ": \"" + entry + "\" is not [IPv6]:PORT");
                }
                port = port(entry, entry.substring(close + 2));
            }
        } else if (entry.indexOf(':') >= 0 && entry.indexOf(':') == entry.lastIndexOf(':')) {
            host = entry.substring(0, entry.indexOf(':'));
            port = port(entry, entry.substring(entry.indexOf(':') + 1));
        }
        if (!host.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?")) {
            throw new IllegalArgumentException(UPSTREAMS + ": \"" + entry + "\" is not an IP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(UPSTREAMS + ": \"" + entry + "\" is not an IP address", e);
        }
    }

    private static int port(String entry, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(UPSTREAMS + ": \"" + entry + "\" has no port in 1..65535");
    }

    private static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null ? fallback : String.valueOf(value).trim();
    }

    private static int integer(Map<String, ?> properties, String key, int fallback, int min) {
        Object value = properties.get(key);
        if (value == null || String.valueOf(value).isBlank()) {
            return fallback;
        }
        try {
            int number = value instanceof Number n ? Math.toIntExact(n.longValue())
                    : Integer.parseInt(String.valueOf(value).trim());
            if (number >= min) {
                return number;
            }
        } catch (NumberFormatException | ArithmeticException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + ": \"" + value + "\" is not a whole number >= " + min);
    }

    /** Arrays, collections or comma-separated text, as ConfigAdmin and FileInstall hand them over. */
    private static List<String> list(Object value) {
        List<String> items = new ArrayList<>();
        if (value instanceof String[] array) {
            items.addAll(Arrays.asList(array));
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(item -> items.add(String.valueOf(item)));
        } else if (value != null) {
            items.addAll(Arrays.asList(String.valueOf(value).split(",")));
        }
        items.replaceAll(String::trim);
        items.removeIf(String::isEmpty);
        return items;
    }
}
