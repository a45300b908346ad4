package io.tapvsock.transport.tap;

import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import io.tapvsock.api.StatsSource;
import java.util.List;
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

    /** A write found the TAP's queue full (EAGAIN): the rest waited for EPOLLOUT. */
    static final String WRITE_WAITS = FdFrameSink.WRITE_WAITS;
    /** Why a link stopped for good, e.g. "read-error". */
    static final String LINK_FAILURES = "linkFailures";

    private final LinkCounters counters = newCounters();
    private final Set<TapLink> links = new CopyOnWriteArraySet<>();

    /** The tap transport's counters: the common ones plus write waits and link failures. */
    static LinkCounters newCounters() {
        return new LinkCounters(List.of(WRITE_WAITS), List.of(LINK_FAILURES));
    }

    public LinkCounters counters() {
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
