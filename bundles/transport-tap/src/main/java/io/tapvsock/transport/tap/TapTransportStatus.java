package io.tapvsock.transport.tap;

import io.tapvsock.api.StatsSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * What all tap links share: their counters, published as the "transport-tap" object of /stats, and the shell
 * command {@code tapvsock:taps}. Link components register here while they are active. Immediate, so the
 * counters outlive the links that come and go.
 */
@Component(service = {TapTransportStatus.class, StatsSource.class}, immediate = true, property = {
        StatsSource.NAME + "=transport-tap",
        "osgi.command.scope=tapvsock",
        "osgi.command.function=taps"})
public final class TapTransportStatus implements StatsSource {

    private final TapCounters counters = new TapCounters();
    private final Set<TapLink> links = new CopyOnWriteArraySet<>();

    public TapCounters counters() {
        return counters;
    }

    void add(TapLink link) {
        links.add(link);
    }

    void remove(TapLink link) {
        links.remove(link);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    /** Gogo {@code tapvsock:taps}: one line per tap link. */
    public String taps() {
        if (links.isEmpty()) {
            return "no tap links";
        }
        return links.stream().map(TapLink::describe).sorted().collect(Collectors.joining("\n"));
    }
}
