package io.tapvsock.http;

import io.tapvsock.api.ApiRoute;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ApiRoute services by exact path. When two services claim one path, the earlier registration (lower
 * service id) serves it and the later one waits, logged; it takes over if the first goes away. Lookups read an
 * immutable snapshot, so requests never wait on a route change.
 */
final class RouteTable {

    private static final System.Logger LOG = System.getLogger(RouteTable.class.getName());

    private record Entry(String path, ApiRoute route) {
    }

    /** Every registered route by service id, in registration order. */
    private final TreeMap<Long, Entry> byServiceId = new TreeMap<>();
    private volatile Map<String, ApiRoute> winners = Map.of();

    /** The framework's service.id property (org.osgi.framework.Constants.SERVICE_ID). */
    private static final String SERVICE_ID = "service.id";

    /** The route serving this exact path, or null. */
    ApiRoute lookup(String path) {
        return winners.get(path);
    }

    synchronized void add(long serviceId, String path, ApiRoute route) {
        if (path == null || path.isEmpty()) {
            LOG.log(Level.WARNING, "ignoring ApiRoute service {0}: it has no {1} property", serviceId, ApiRoute.PATH);
            return;
        }
        byServiceId.put(serviceId, new Entry(path, route));
        rebuild();
        byServiceId.forEach((id, entry) -> {
            if (id != serviceId && entry.path.equals(path)) {
                long winner = Math.min(id, serviceId);
                LOG.log(Level.WARNING, "two ApiRoute services for {0}: service {1} serves it, service {2} waits",
                        path, winner, winner == serviceId ? id : serviceId);
            }
        });
    }

    synchronized void remove(long serviceId) {
        if (byServiceId.remove(serviceId) != null) {
            rebuild();
        }
    }

    /** Adds a route service by its DS service properties (service.id, {@link ApiRoute#PATH}). */
    void addService(ApiRoute route, Map<String, Object> properties) {
        add(serviceId(properties), path(properties), route);
    }

    /** A route service's properties changed: it may serve another path now. */
    synchronized void updateService(ApiRoute route, Map<String, Object> properties) {
        remove(serviceId(properties));
        addService(route, properties);
    }

    void removeService(Map<String, Object> properties) {
        remove(serviceId(properties));
    }

    private static long serviceId(Map<String, Object> properties) {
        return ((Number) properties.get(SERVICE_ID)).longValue();
    }

    private static String path(Map<String, Object> properties) {
        Object path = properties.get(ApiRoute.PATH);
        return path == null ? null : path.toString();
    }

    private void rebuild() {
        Map<String, ApiRoute> next = new HashMap<>();
        byServiceId.values().forEach(entry -> next.putIfAbsent(entry.path, entry.route));
        winners = Map.copyOf(next);
    }
}
