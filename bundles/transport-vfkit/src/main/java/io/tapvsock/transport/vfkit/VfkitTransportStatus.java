package io.tapvsock.transport.vfkit;

import io.tapvsock.api.StatsSource;
import io.tapvsock.transport.common.LinkCounters;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * What all vfkit listeners share: their counters, the "transport-vfkit" object of /stats, and the shell command
 * {@code tapvsock:vfkit}. Immediate, so the counters outlive the listeners that come and go.
 */
@Component(service = {VfkitTransportStatus.class, StatsSource.class}, immediate = true, property = {
        StatsSource.NAME + "=transport-vfkit",
        "osgi.command.scope=tapvsock",
        "osgi.command.function=vfkit"})
public final class VfkitTransportStatus implements StatsSource {

    /** Peers learned (first datagram from a new address). */
    static final String PEERS = "peers";
    /** VFKT handshake datagrams consumed. */
    static final String HANDSHAKES = "handshakes";
    /** Peers forgotten because sending to them failed, by exception. */
    static final String PEER_LOSSES = "peerLosses";

    private final LinkCounters counters = newCounters();
    private final Set<VfkitListener> listeners = new CopyOnWriteArraySet<>();

    static LinkCounters newCounters() {
        return new LinkCounters(List.of(PEERS, HANDSHAKES), List.of(PEER_LOSSES));
    }

    public LinkCounters counters() {
        return counters;
    }

    void add(VfkitListener listener) {
        listeners.add(listener);
    }

    void remove(VfkitListener listener) {
        listeners.remove(listener);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    /** Gogo {@code tapvsock:vfkit}: one line per vfkit listener with its peer. */
    public String vfkit() {
        if (listeners.isEmpty()) {
            return "no vfkit listeners";
        }
        return listeners.stream().map(VfkitListener::describe).sorted().collect(Collectors.joining("\n"));
    }
}
