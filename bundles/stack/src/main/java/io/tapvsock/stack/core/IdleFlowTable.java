package io.tapvsock.stack.core;

import io.netty.util.concurrent.ScheduledFuture;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The flows of a NAT without connection state (UDP, ICMP echo): each expires after an idle timeout, their number
 * is capped and the least recently used makes room for a new one. The map is kept in access order and a flow's
 * last-used time is set only here, on each access, so the eldest entry is always the first to expire: expiry
 * stops at the first live flow, and one sweep scheduled on {@link StackContext#loop()} at the eldest flow's
 * deadline replaces per-flow timers. Time comes from {@link StackContext#nanoTime()}. Network loop only.
 *
 * @param <K> the flow's key
 * @param <F> the flow
 */
public final class IdleFlowTable<K, F extends IdleFlowTable.Flow> {

    /** A flow's last-used time, which only its table sets. */
    public abstract static class Flow {

        /** Package-private: only the table sets it, together with the move to the young end that keeps its order. */
        long lastUsed;

        /** Nanos (the stack's clock) of the last use either way; the table is ordered by it. */
        public final long lastUsed() {
            return lastUsed;
        }
    }

    /** A sweep sooner than this after the previous one would mostly wake the loop for nothing. */
    private static final long MIN_SWEEP_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final StackContext context;
    private final String name;
    private final Consumer<? super F> closer;
    /** In access order: the first entry is the least recently used, and the first to expire. */
    private final LinkedHashMap<K, F> flows = new LinkedHashMap<>(16, 0.75f, true);
    private long idleNanos;
    private int maxFlows;
    private ScheduledFuture<?> sweep;

    private long opened;
    private long expired;
    private long evicted;

    /**
     * @param name the protocol, for the message of a bad limit ("UDP")
     * @param closer releases what a flow holds when it leaves the table (expired, evicted, removed or closed)
     */
    public IdleFlowTable(StackContext context, String name, Consumer<? super F> closer, long idleSeconds,
            int maxFlows) {
        this.context = context;
        this.name = name;
        this.closer = closer;
        configure(idleSeconds, maxFlows);
    }

    /** New limits; flows over the new cap are evicted now, least recently used first. */
    public void configure(long idleSeconds, int maxFlows) {
        if (idleSeconds <= 0 || maxFlows <= 0) {
            throw new IllegalArgumentException(name + " flow limits must be positive: " + idleSeconds + " s, "
                    + maxFlows);
        }
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.maxFlows = maxFlows;
        while (flows.size() > maxFlows) {
            evictEldest();
        }
        cancelSweep();
        scheduleSweep();
    }

    /** The flow of {@code key}, now used: it moves to the most recently used end. Null when there is none. */
    public F use(K key) {
        F flow = flows.get(key);
        if (flow != null) {
            flow.lastUsed = context.nanoTime();
        }
        return flow;
    }

    /**
     * Before a new flow is opened: when the table is full, evicts the least recently used flow.
     *
     * @return whether a flow was evicted
     */
    public boolean makeRoom() {
        if (flows.size() < maxFlows) {
            return false;
        }
        evictEldest();
        return true;
    }

    /** A new flow, used now; call {@link #makeRoom()} first. */
    public void add(K key, F flow) {
        flow.lastUsed = context.nanoTime();
        flows.put(key, flow);
        opened++;
        scheduleSweep();
    }

    /** Takes {@code flow} out of the table, if it is still there under {@code key}, and closes it. */
    public void remove(K key, F flow) {
        flows.remove(key, flow);
        closer.accept(flow);
    }

    /** Closes every flow idle for the timeout or longer; the access order makes this stop at the first live one. */
    public void expireIdle() {
        long now = context.nanoTime();
        Iterator<F> iterator = flows.values().iterator();
        while (iterator.hasNext()) {
            F flow = iterator.next();
            if (now - flow.lastUsed < idleNanos) {
                break;
            }
            iterator.remove();
            closer.accept(flow);
            expired++;
        }
    }

    private void scheduleSweep() {
        if (sweep != null || flows.isEmpty()) {
            return;
        }
        F eldest = flows.values().iterator().next();
        long delay = Math.max(eldest.lastUsed + idleNanos - context.nanoTime(), MIN_SWEEP_DELAY_NANOS);
        sweep = context.loop().schedule(this::sweep, delay, TimeUnit.NANOSECONDS);
    }

    private void sweep() {
        sweep = null;
        expireIdle();
        scheduleSweep();
    }

    private void cancelSweep() {
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    private void evictEldest() {
        Iterator<F> iterator = flows.values().iterator();
        F eldest = iterator.next();
        iterator.remove();
        closer.accept(eldest);
        evicted++;
    }

    public int size() {
        return flows.size();
    }

    public int maxFlows() {
        return maxFlows;
    }

    /** The flows, least recently used first; reading them does not count as use. */
    public Collection<F> flows() {
        return Collections.unmodifiableCollection(flows.values());
    }

    public long opened() {
        return opened;
    }

    public long expired() {
        return expired;
    }

    public long evicted() {
        return evicted;
    }

    /** Closes every flow and cancels the sweep. */
    public void close() {
        cancelSweep();
        for (F flow : flows.values()) {
            closer.accept(flow);
        }
        flows.clear();
    }
}
