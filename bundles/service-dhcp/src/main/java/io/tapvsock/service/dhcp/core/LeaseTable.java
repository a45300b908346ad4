package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.service.dhcp.core.Lease.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Who has which address: at most one record per MAC and per address. A client keeps its record after RELEASE
 * or expiry, so it gets the same address back; the pool hands out never-used addresses first and reclaims
 * the address that has been free the longest only when nothing else is left.
 *
 * <p>Read first: RFC 2131 §4.3.1 (the order in which a server picks an address), §4.3.3 (DECLINE).
 * Not thread-safe: {@link DhcpServer} guards it. Time is an argument; nothing here reads a clock.
 */
public final class LeaseTable {

    private final Map<MacAddress, Lease> byMac = new HashMap<>();
    private final TreeMap<Ipv4Address, Lease> byIp = new TreeMap<>();
    /** Addresses a client found in use, out of use until the given time. */
    private final TreeMap<Ipv4Address, Instant> declined = new TreeMap<>();
    /** Bumped by every change, so the owner knows when to save. */
    private long version;

    /** Changes with every modification. */
    public long version() {
        return version;
    }

    /**
     * The address this server has for the client: its static address, else the address of its record (active
     * or remembered) while the plan still allows it and no one declined it. Null when it has none.
     */
    public Ipv4Address addressOf(MacAddress mac, AddressPlan plan, Instant now) {
        Ipv4Address fixed = plan.staticAddress(mac);
        if (fixed != null) {
            return fixed;
        }
        Lease lease = byMac.get(mac);
        if (lease != null && plan.isDynamic(lease.address()) && !isDeclined(lease.address(), now)) {
            return lease.address();
        }
        return null;
    }

    /** Could {@code address} become {@code mac}'s now: allowed by the plan and nobody else's, active or remembered. */
    public boolean isFreeFor(Ipv4Address address, MacAddress mac, AddressPlan plan, Instant now) {
        if (!plan.isAssignable(address, mac)) {
            return false;
        }
        if (!plan.isStatic(address) && isDeclined(address, now)) {
            return false;
        }
        Lease holder = byIp.get(address);
        return holder == null || holder.mac().equals(mac);
    }

    /**
     * Picks an address for a client that wants one (RFC 2131 §4.3.1): the one it has, else the one it asks for
     * when that is free, else a never-used address, else the address free the longest. Null when the pool is
     * exhausted.
     *
     * @param requested option 50, or null
     */
    public Ipv4Address choose(MacAddress mac, Ipv4Address requested, AddressPlan plan, Instant now) {
        Ipv4Address own = addressOf(mac, plan, now);
        if (own != null) {
            return own;
        }
        if (requested != null && isFreeFor(requested, mac, plan, now)) {
            return requested;
        }
        long first = Integer.toUnsignedLong(plan.subnet().network().bits()) + 1;
        long last = Integer.toUnsignedLong(plan.subnet().broadcast().bits()) - 1;
        for (long bits = first; bits <= last; bits++) {
            Ipv4Address candidate = new Ipv4Address((int) bits);
            if (plan.isDynamic(candidate) && !byIp.containsKey(candidate) && !isDeclined(candidate, now)) {
                return candidate;
            }
        }
        Lease oldest = null;
        for (Lease lease : byIp.values()) {
            if (lease.stateAt(now) == State.FREE && plan.isDynamic(lease.address()) && !isDeclined(lease.address(), now)
                    && (oldest == null || lease.freeSince().isBefore(oldest.freeSince()))) {
                oldest = lease;
            }
        }
        return oldest == null ? null : oldest.address();
    }

    /** Holds {@code address} for the client until {@code until}; an active lease of the same address is kept. */
    public void offer(MacAddress mac, Ipv4Address address, Instant until, Instant now) {
        Lease current = byMac.get(mac);
        if (current != null && current.address().equals(address) && current.stateAt(now) == State.BOUND) {
            return;
        }
        put(new Lease(address, mac, State.OFFERED, until));
    }

    /** Leases {@code address} to the client until {@code until}; whoever else had it on record loses it. */
    public void bind(MacAddress mac, Ipv4Address address, Instant until) {
        put(new Lease(address, mac, State.BOUND, until));
    }

    /** The client gives its address back (RFC 2131 §4.4.6); false when it was not its active lease. */
    public boolean release(MacAddress mac, Ipv4Address address, Instant now) {
        Lease lease = byMac.get(mac);
        if (lease == null || !lease.address().equals(address) || lease.stateAt(now) == State.FREE) {
            return false;
        }
        put(new Lease(address, mac, State.FREE, now));
        return true;
    }

    /** The client took another server's offer (RFC 2131 §4.3.2): our offer ends now. */
    public void withdrawOffer(MacAddress mac, Instant now) {
        Lease lease = byMac.get(mac);
        if (lease != null && lease.stateAt(now) == State.OFFERED) {
            put(new Lease(lease.address(), mac, State.FREE, now));
        }
    }

    /**
     * The client found {@code address} in use (RFC 2131 §4.3.3): the address is out of use until {@code until}
     * and the client's record is forgotten, so it gets another one. A static address stays where it is, and a
     * client cannot decline someone else's address: both return false.
     */
    public boolean decline(MacAddress mac, Ipv4Address address, Instant until, AddressPlan plan) {
        if (plan.isStatic(address)) {
            return false;
        }
        Lease holder = byIp.get(address);
        if (holder != null && !holder.mac().equals(mac)) {
            return false;
        }
        if (holder != null) {
            byIp.remove(address);
            byMac.remove(mac);
        }
        declined.put(address, until);
        version++;
        return true;
    }

    private boolean isDeclined(Ipv4Address address, Instant now) {
        Instant until = declined.get(address);
        return until != null && now.isBefore(until);
    }

    private void put(Lease lease) {
        Lease previous = byMac.remove(lease.mac());
        if (previous != null) {
            byIp.remove(previous.address());
        }
        Lease displaced = byIp.remove(lease.address());
        if (displaced != null) {
            byMac.remove(displaced.mac());
        }
        byMac.put(lease.mac(), lease);
        byIp.put(lease.address(), lease);
        version++;
    }

    /** The client's record, or null. */
    public Lease lease(MacAddress mac) {
        return byMac.get(mac);
    }

    /** Current leases by address: every static lease of the plan and every active dynamic lease. */
    public SortedMap<Ipv4Address, LeaseEntry> entries(AddressPlan plan, Instant now) {
        SortedMap<Ipv4Address, LeaseEntry> entries = new TreeMap<>();
        for (Lease lease : byIp.values()) {
            if (lease.stateAt(now) == State.BOUND && plan.isDynamic(lease.address())) {
                entries.put(lease.address(), new LeaseEntry(lease.address(), lease.mac(), LeaseEntry.Kind.DYNAMIC,
                        lease.until()));
            }
        }
        plan.staticLeases().forEach((address, mac) ->
                entries.put(address, new LeaseEntry(address, mac, LeaseEntry.Kind.STATIC, null)));
        return entries;
    }

    /** Every record, by address, for the lease file. */
    public List<Lease> records() {
        return new ArrayList<>(byIp.values());
    }

    /** Declined addresses still out of use at {@code now}, for the lease file. */
    public SortedMap<Ipv4Address, Instant> declined(Instant now) {
        SortedMap<Ipv4Address, Instant> current = new TreeMap<>();
        declined.forEach((address, until) -> {
            if (now.isBefore(until)) {
                current.put(address, until);
            }
        });
        return current;
    }

    /**
     * Adds saved records under the ones already here: a record whose MAC or address is taken is skipped (what
     * this run learnt is newer). An offer is restored as FREE: the client will ask again.
     */
    public void restore(List<Lease> records, Map<Ipv4Address, Instant> declinedUntil) {
        for (Lease record : records) {
            if (byMac.containsKey(record.mac()) || byIp.containsKey(record.address())) {
                continue;
            }
            Lease lease = record.state() == State.OFFERED
                    ? new Lease(record.address(), record.mac(), State.FREE, record.until())
                    : record;
            byMac.put(lease.mac(), lease);
            byIp.put(lease.address(), lease);
            version++;
        }
        declinedUntil.forEach((address, until) -> {
            if (declined.putIfAbsent(address, until) == null) {
                version++;
            }
        });
    }
}
