package io.tapvsock.stack.tcp;

/** The connection states of RFC 9293 §3.3.2; {@link #toString()} gives the RFC's name. */
public enum TcpState {
    CLOSED("CLOSED"),
    /** Here: a guest SYN is held while the host connect runs; the SYN-ACK waits for it. */
    LISTEN("LISTEN"),
    SYN_SENT("SYN-SENT"),
    SYN_RECEIVED("SYN-RECEIVED"),
    ESTABLISHED("ESTABLISHED"),
    FIN_WAIT_1("FIN-WAIT-1"),
    FIN_WAIT_2("FIN-WAIT-2"),
    CLOSE_WAIT("CLOSE-WAIT"),
    CLOSING("CLOSING"),
    LAST_ACK("LAST-ACK"),
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) {
        this.rfcName = rfcName;
    }

    /** States after the handshake, where both sequence spaces are known (RFC 9293 §3.10.7.4). */
    public boolean synchronized_() {
        return compareTo(ESTABLISHED) >= 0;
    }

    /** States in which guest data is still accepted and passed to the host. */
    public boolean receivesData() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    /** States in which host data may still be sent to the guest (our FIN not yet sent). */
    public boolean sendsData() {
        return this == ESTABLISHED || this == CLOSE_WAIT;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}
