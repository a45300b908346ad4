package io.tapvsock.service.forwarder.core;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open forwards, keyed as gvproxy keys them (protocol and local address). Each knows whether the
 * configuration made it, so a new configuration replaces only those. Any thread but the network loop (opening
 * a listener waits for its bind); calls are serialized.
 */
public final class Forwards {

    private static final System.Logger LOG = System.getLogger(Forwards.class.getName());

    /** An open forward. */
    public record Open(Forward forward, boolean configured, Listener listener) {
    }

    private final ListenerFactory listeners;
    private final Map<String, Open> open = new LinkedHashMap<>();

    public Forwards(ListenerFactory listeners) {
        this.listeners = listeners;
    }

    /**
     * Opens a forward. The order of checks is gvproxy's: a forward already open for the key, then the protocol,
     * then the remote, then the bind.
     *
     * @param configured made by the configuration (replaced when it changes), not by the API or the shell
     */
    public synchronized void expose(Forward forward, boolean configured) throws ForwardException {
        if (open.containsKey(forward.key())) {
            throw new ForwardException("proxy already running for " + forward.protocol() + " on " + forward.local());
        }
        ForwardProtocol protocol = ForwardProtocol.parse(forward.protocol());
        Listener listener = protocol.remoteIsUrl() && SshTunnelUrl.isSshTunnel(forward.remote())
                ? listeners.openSshTunnel(protocol, forward, SshTunnelUrl.parse(forward.remote()))
                : listeners.open(protocol, forward, GuestTarget.of(protocol, forward.remote()));
        open.put(forward.key(), new Open(forward, configured, listener));
        LOG.log(Level.INFO, "forward {0} {1} -> {2} open{3}", forward.protocol(), forward.local(), forward.remote(),
                configured ? " (configuration)" : "");
    }

    /** Closes a forward's listener; its connections go on until they end. */
    public synchronized Forward unexpose(String protocol, String local) throws ForwardException {
        Open removed = open.remove(Forward.key(protocol == null || protocol.isEmpty() ? "tcp" : protocol, local));
        if (removed == null) {
            throw new ForwardException("proxy not found");
        }
        removed.listener().close();
        LOG.log(Level.INFO, "forward {0} {1} -> {2} closed", removed.forward().protocol(), local,
                removed.forward().remote());
        return removed.forward();
    }

    /** Every open forward, sorted as gvproxy's list: by local, then protocol. */
    public synchronized List<Open> list() {
        List<Open> list = new ArrayList<>(open.values());
        list.sort(Comparator.comparing((Open o) -> o.forward().local())
                .thenComparing(o -> o.forward().protocol()));
        return list;
    }

    public synchronized int size() {
        return open.size();
    }

    /**
     * Makes the configured forwards these: configured ones that are no longer wanted (or changed) close, new ones
     * open. A forward the API or the shell opened on the same key stays, and the configured one is skipped.
     *
     * @return one line per forward that could not be opened
     */
    public synchronized List<String> configure(List<Forward> wanted) {
        Map<String, Forward> byKey = new LinkedHashMap<>();
        wanted.forEach(forward -> byKey.put(forward.key(), forward));
        for (Open existing : List.copyOf(open.values())) {
            if (existing.configured() && !existing.forward().equals(byKey.get(existing.forward().key()))) {
                open.remove(existing.forward().key());
                existing.listener().close();
                LOG.log(Level.INFO, "forward {0} {1} -> {2} closed (no longer configured)",
                        existing.forward().protocol(), existing.forward().local(), existing.forward().remote());
            }
        }
        List<String> errors = new ArrayList<>();
        for (Forward forward : byKey.values()) {
            Open existing = open.get(forward.key());
            if (existing != null) {
                if (!existing.configured()) {
                    LOG.log(Level.WARNING, "configured forward {0} {1} skipped: the API opened one there already",
                            forward.protocol(), forward.local());
                }
                continue;
            }
            try {
                expose(forward, true);
            } catch (ForwardException e) {
                errors.add(forward.protocol() + " " + forward.local() + " -> " + forward.remote() + ": "
                        + e.getMessage());
            }
        }
        return errors;
    }

    /** Closes every forward. */
    public synchronized void closeAll() {
        open.values().forEach(o -> o.listener().close());
        open.clear();
    }
}
