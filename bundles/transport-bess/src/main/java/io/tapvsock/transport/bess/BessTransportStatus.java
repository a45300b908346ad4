package io.tapvsock.transport.bess;

import io.tapvsock.api.StatsSource;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * What all bess listeners share: their counters, published as the "transport-bess" object of /stats, and the
 * shell command {@code tapvsock:bess}. Listener components register here while they are active. Immediate, so
 * the counters outlive the listeners that come and go.
 */
@Component(service = {BessTransportStatus.class, StatsSource.class}, immediate = true, property = {
        StatsSource.NAME + "=transport-bess",
        "osgi.command.scope=tapvsock",
        "osgi.command.function=bess"})
public final class BessTransportStatus implements StatsSource {

    static final String CLIENTS_ACCEPTED = "clientsAccepted";
    /** A client came while another was connected: accepted and closed at once. */
    static final String CLIENTS_REFUSED = "clientsRefused";
    /** A write found the socket's send buffer full (EAGAIN): the rest waited for EPOLLOUT. */
    static final String WRITE_WAITS = FdFrameSink.WRITE_WAITS;
    /** Why each client connection ended, e.g. "peer-closed" or "frame-too-long". */
    static final String CLOSES = "closes";
    /** Why accept(2) failed, e.g. "accept-failed" (out of descriptors). */
    static final String ACCEPT_ERRORS = "acceptErrors";

    private final LinkCounters counters = newCounters();
    private final Set<BessListener> listeners = new CopyOnWriteArraySet<>();

    /** The bess transport's counters: the common ones plus clients, write waits, closes and accept errors. */
    static LinkCounters newCounters() {
        return new LinkCounters(List.of(CLIENTS_ACCEPTED, CLIENTS_REFUSED, WRITE_WAITS),
                List.of(CLOSES, ACCEPT_ERRORS));
    }

    public LinkCounters counters() {
        return counters;
    }

    void add(BessListener listener) {
        listeners.add(listener);
    }

    void remove(BessListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    /** Gogo {@code tapvsock:bess}: one line per bess listener with its client. */
    public String bess() {
        if (listeners.isEmpty()) {
            return "no bess listeners";
        }
        return listeners.stream().map(BessListener::describe).sorted().collect(Collectors.joining("\n"));
    }
}
