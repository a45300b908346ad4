package io.tapvsock.service.dhcp.wire;

/** A guest's DHCP message that cannot be used; the server counts it by {@link #reason()} and drops it. */
public final class MalformedDhcpException extends Exception {

    private final MalformedReason reason;

    public MalformedDhcpException(MalformedReason reason, String detail) {
        super(reason.key() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public MalformedReason reason() {
        return reason;
    }
}
