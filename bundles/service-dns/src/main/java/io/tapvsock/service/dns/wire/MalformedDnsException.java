package io.tapvsock.service.dns.wire;

/** A guest's DNS message that cannot be served; carries the reason it is counted under. */
public final class MalformedDnsException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient MalformedReason reason;

    public MalformedDnsException(MalformedReason reason, String detail) {
        super(reason.key() + ": " + detail, null, false, false);
        this.reason = reason;
    }

    public MalformedReason reason() {
        return reason;
    }
}
