package io.tapvsock.service.dhcp.wire;

import io.tapvsock.api.Ipv4Address;

/**
 * The configuration options an OFFER or ACK hands the client (RFC 2132 §3.3, §3.5, §3.8, §5.1; RFC 3397).
 *
 * @param subnetMask option 1
 * @param router option 3
 * @param dnsServer option 6
 * @param mtu option 26
 * @param searchList option 119, omitted when empty
 */
public record NetworkParameters(Ipv4Address subnetMask, Ipv4Address router, Ipv4Address dnsServer, int mtu,
        DomainSearchList searchList) {

    /** The same parameters without option 119 (for a client whose message size limit it would break). */
    public NetworkParameters withoutSearchList() {
        return new NetworkParameters(subnetMask, router, dnsServer, mtu, DomainSearchList.EMPTY);
    }

    /** Bytes these options take in a message. */
    int optionLength() {
        return 3 * (2 + 4) + (2 + 2) + searchList.optionLength();
    }
}
