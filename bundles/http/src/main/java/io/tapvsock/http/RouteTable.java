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

    private void rebuild() {
        Map<String, ApiRoute> next = new HashMap<>();
        byServiceId.values().forEach(entry -> next.putIfAbsent(entry.path, entry.route));
        winners = Map.copyOf(next);
    }
}
