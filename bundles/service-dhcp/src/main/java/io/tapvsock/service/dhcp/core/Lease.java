package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.time.Instant;

/**
 * One client's record in the lease table.
 *
 * @param address the client's address
 * @param mac the client
 * @param state as recorded; {@link #stateAt} applies expiry
 * @param until for OFFERED and BOUND, when the offer or lease ends; for FREE, when the address became free
 */
public record Lease(Ipv4Address address, MacAddress mac, State state, Instant until) {

    public enum State {
        /** Offered, waiting for the client's REQUEST. */
        OFFERED,
        /** Leased (acknowledged). */
        BOUND,
        /** Released or expired: kept so the client gets the same address back, reused by others last. */
        FREE
    }

    /** The state at {@code now}: an offer or lease whose time is up is FREE. */
    public State stateAt(Instant now) {
        return state != State.FREE && !now.isBefore(until) ? State.FREE : state;
    }

    /** For a lease that is FREE at {@code now}, since when. */
    Instant freeSince() {
        return until;
    }
}
