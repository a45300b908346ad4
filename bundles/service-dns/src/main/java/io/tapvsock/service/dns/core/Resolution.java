package io.tapvsock.service.dns.core;

import io.tapvsock.api.Ipv4Address;

/** What the local zones say about a question. */
public sealed interface Resolution {

    /** No zone covers the name: forward the query. */
    record NotLocal() implements Resolution {
    }

    /** The name is in a zone and has this address (an A answer; other types get NODATA). */
    record Address(Ipv4Address address) implements Resolution {
    }

    /** The name is in a zone, matches no record, and the zone has no DefaultIP: NXDOMAIN. */
    record NoSuchName() implements Resolution {
    }

    Resolution NOT_LOCAL = new NotLocal();
    Resolution NO_SUCH_NAME = new NoSuchName();
}
