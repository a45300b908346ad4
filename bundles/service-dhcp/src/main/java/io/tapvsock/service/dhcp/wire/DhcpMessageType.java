package io.tapvsock.service.dhcp.wire;

/** The values of option 53 (RFC 2132 §9.6). */
public enum DhcpMessageType {
    DISCOVER(1, true),
    OFFER(2, false),
    REQUEST(3, true),
    DECLINE(4, true),
    ACK(5, false),
    NAK(6, false),
    RELEASE(7, true),
    INFORM(8, true);

    private final int code;
    private final boolean fromClient;

    DhcpMessageType(int code, boolean fromClient) {
        this.code = code;
        this.fromClient = fromClient;
    }

    public int code() {
        return code;
    }

    /** Sent by clients (as opposed to servers). */
    public boolean fromClient() {
        return fromClient;
    }

    /** The type with this code, or null. */
    public static DhcpMessageType of(int code) {
        for (DhcpMessageType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
