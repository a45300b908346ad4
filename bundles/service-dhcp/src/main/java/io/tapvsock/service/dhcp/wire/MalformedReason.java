package io.tapvsock.service.dhcp.wire;

/** Why a DHCP message from a guest was dropped; the names are the keys of the "malformed" counters in /stats. */
public enum MalformedReason {
    /** Shorter than the fixed header and the magic cookie. */
    SHORT("short"),
    /** op is not BOOTREQUEST (a server's message, or garbage). */
    BAD_OP("bad_op"),
    /** htype is not Ethernet. */
    BAD_HTYPE("bad_htype"),
    /** hlen is not 6. */
    BAD_HLEN("bad_hlen"),
    /** The options do not start with 99.130.83.99 (RFC 2131 §3). */
    BAD_COOKIE("bad_cookie"),
    /** An option's length runs past the end of its field. */
    OPTION_OVERRUN("option_overrun"),
    /** A field of options runs out without END (RFC 2131 §4.1, RFC 2132 §9.3). */
    MISSING_END("missing_end"),
    /** An option we read has a length its definition does not allow. */
    BAD_OPTION_LENGTH("bad_option_length"),
    /** No option 53: a plain BOOTP request, which this server does not answer. */
    NO_MESSAGE_TYPE("no_message_type"),
    /** Option 53 holds a type a client does not send. */
    BAD_MESSAGE_TYPE("bad_message_type"),
    /** A REQUEST or DECLINE that names no address (neither option 50 nor ciaddr). */
    NO_ADDRESS("no_address");

    private final String key;

    MalformedReason(String key) {
        this.key = key;
    }

    /** The counter's name in /stats. */
    public String key() {
        return key;
    }
}
