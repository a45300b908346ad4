package io.tapvsock.service.stats;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo {@code tapvsock:stats}: the /stats document, indented. */
@Component(service = Object.class, property = {"osgi.command.scope=tapvsock", "osgi.command.function=stats"})
public final class StatsCommand {

    private final StatsCollector collector;

    @Activate
    public StatsCommand(@Reference(name = "collector") StatsCollector collector) {
        this.collector = collector;
    }

    public String stats() {
        return collector.json(true);
    }
}
