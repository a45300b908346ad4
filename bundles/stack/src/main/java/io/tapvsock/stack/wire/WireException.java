package io.tapvsock.stack.wire;

/**
 * A packet that a {@code Repr.parse} refused; {@link #reason()} is the short drop reason counted in /stats.
 * Stackless: it reports guest input, not a bug, so capturing a stack trace would only cost time.
 */
public final class WireException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String reason;

    public WireException(String reason) {
        super(reason, null, false, false);
        this.reason = reason;
    }

    /** The drop reason, e.g. "ipv4-bad-checksum". */
    public String reason() {
        return reason;
    }
}
