package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.StatsSource;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Component;

/**
 * What all hyperkit-framed links share (vpnkit listeners, the stdio link, /connect streams): their counters,
 * published as the "transport-vsock" object of /stats, and the shell command {@code tapvsock:vsock}. Components
 * register a one-line description here while they are active. Immediate, so the counters outlive the links.
 */
@Component(service = {VsockTransportStatus.class, StatsSource.class}, immediate = true, property = {
        StatsSource.NAME + "=transport-vsock",
        "osgi.command.scope=tapvsock",
        "osgi.command.function=vsock"})
public final class VsockTransportStatus implements StatsSource {

    /** Vpnkit clients accepted (before their handshake). */
    static final String VPNKIT_CLIENTS = "vpnkitClients";
    /** Vpnkit handshakes completed. */
    static final String HANDSHAKES = "handshakes";
    /** Why handshakes failed, e.g. "bad-uuid" or "short-hello". */
    static final String HANDSHAKE_FAILURES = "handshakeFailures";
    static final String STDIO_LINKS = "stdioLinks";
    /** POST /connect sockets adopted from the API endpoints (the FrameStreams service). */
    static final String CONNECTED_STREAMS = "connectedStreams";
    /**
     * vsock connections refused before any frame or API response, by reason: a refused /connect head ("body",
     * "malformed", "too-long", see HeadCheck.Problem) or no API to relay other requests to ("no-api").
     */
    static final String CONNECT_REFUSALS = "connectRefusals";
    /** vsock connections whose first request was for the HTTP API, relayed to the http bundle. */
    static final String API_CONNECTIONS = "apiConnections";
    /** Relayed API connections whose API socket could not be reached, by reason ("unreachable"). */
    static final String API_FAILURES = "apiFailures";

    private final LinkCounters counters = newCounters();
    private final Set<Supplier<String>> links = new CopyOnWriteArraySet<>();

    /** The common counters plus vpnkit clients and handshakes, stdio links, /connect streams, API relays, closes. */
    static LinkCounters newCounters() {
        return new LinkCounters(List.of(VPNKIT_CLIENTS, HANDSHAKES, STDIO_LINKS, CONNECTED_STREAMS, API_CONNECTIONS),
                List.of(HANDSHAKE_FAILURES, CONNECT_REFUSALS, API_FAILURES, StreamPort.CLOSES));
    }

    public LinkCounters counters() {
        return counters;
    }

    void add(Supplier<String> link) {
        links.add(link);
    }

    void remove(Supplier<String> link) {
        links.remove(link);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    /** Gogo {@code tapvsock:vsock}: one line per vpnkit listener or stdio link, with their clients. */
    public String vsock() {
        String lines = links.stream().map(Supplier::get).sorted().collect(Collectors.joining("\n"));
        long streams = counters.get(CONNECTED_STREAMS);
        return (lines.isEmpty() ? "no vpnkit listener, no stdio link" : lines)
                + "\n/connect streams attached so far: " + streams;
    }
}
