package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.api.StatsSource;
import io.tapvsock.transport.common.stream.StreamPort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * What all qemu listeners share: their counters, published as the "transport-qemu" object of /stats, and the
 * shell command {@code tapvsock:listeners}. Listener components register here while they are active.
 * Immediate, so the counters outlive the listeners that come and go.
 */
@Component(service = {QemuTransportStatus.class, StatsSource.class}, immediate = true, property = {
        StatsSource.NAME + "=transport-qemu",
        "osgi.command.scope=tapvsock",
        "osgi.command.function=listeners"})
public final class QemuTransportStatus implements StatsSource {

    static final String CLIENTS_ACCEPTED = "clientsAccepted";
    static final String CLIENTS_REFUSED = "clientsRefused";
    static final String VNET_CONNECTIONS = "vnetConnections";
    /** Why each client connection ended, e.g. "peer-closed" or "frame-too-long" (counted by the StreamPort). */
    static final String CLOSES = StreamPort.CLOSES;

    private final LinkCounters counters = newCounters();
    private final Set<QemuListener> listeners = new CopyOnWriteArraySet<>();

    /** The qemu transport's counters: the common ones plus clients accepted and refused, vnet mode, closes. */
    static LinkCounters newCounters() {
        return new LinkCounters(List.of(CLIENTS_ACCEPTED, CLIENTS_REFUSED, VNET_CONNECTIONS), List.of(CLOSES));
    }

    public LinkCounters counters() {
        return counters;
    }

    void add(QemuListener listener) {
        listeners.add(listener);
    }

    void remove(QemuListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    /** Gogo {@code tapvsock:listeners}: one line per qemu listener with its client. */
    public String listeners() {
        if (listeners.isEmpty()) {
            return "no qemu listeners";
        }
        return listeners.stream().map(QemuListener::describe).sorted().collect(Collectors.joining("\n"));
    }
}
