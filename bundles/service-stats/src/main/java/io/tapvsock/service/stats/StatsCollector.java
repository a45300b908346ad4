package io.tapvsock.service.stats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tapvsock.api.StatsSource;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Tracks every {@link StatsSource} and renders their snapshots as the /stats JSON document. Shared by the
 * HTTP route and the shell command. A source that fails its snapshot is left out and logged.
 */
@Component(service = StatsCollector.class)
public final class StatsCollector {

    /** The framework's service.id property (org.osgi.framework.Constants.SERVICE_ID): registration order. */
    private static final String SERVICE_ID = "service.id";
    private static final System.Logger LOG = System.getLogger(StatsCollector.class.getName());

    private record Registered(String name, StatsSource source) {
    }

    private final Map<Long, Registered> sources = new ConcurrentSkipListMap<>();
    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    @Reference(name = "sources", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeSource", updated = "addSource")
    void addSource(StatsSource source, Map<String, Object> properties) {
        Object name = properties.get(StatsSource.NAME);
        if (name == null) {
            LOG.log(Level.WARNING, "StatsSource service {0} has no {1} property; its counters go to the top level",
                    properties.get(SERVICE_ID), StatsSource.NAME);
        }
        sources.put(serviceId(properties), new Registered(name == null ? "" : name.toString(), source));
    }

    void removeSource(StatsSource source, Map<String, Object> properties) {
        sources.remove(serviceId(properties));
    }

    private static long serviceId(Map<String, Object> properties) {
        return ((Number) properties.get(SERVICE_ID)).longValue();
    }

    /** Every source's snapshot now, assembled and sorted. */
    public Map<String, Object> collect() {
        List<StatsTree.Source> snapshots = new ArrayList<>();
        for (Registered registered : sources.values()) {
            try {
                snapshots.add(new StatsTree.Source(registered.name(), registered.source().snapshot()));
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "stats source \"" + registered.name() + "\" failed its snapshot; left out", e);
            }
        }
        return StatsTree.assemble(snapshots);
    }

    /** The /stats document: compact for the API, indented for the shell. */
    public String json(boolean pretty) {
        try {
            Map<String, Object> stats = collect();
            return pretty ? mapper.writerWithDefaultPrettyPrinter().writeValueAsString(stats) : mapper.writeValueAsString(stats);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render stats as JSON: " + e.getMessage(), e);
        }
    }
}
