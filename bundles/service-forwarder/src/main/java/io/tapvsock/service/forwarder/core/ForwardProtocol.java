package io.tapvsock.service.forwarder.core;

/** The protocols of gvproxy's expose request. */
public enum ForwardProtocol {
    TCP("tcp"),
    UDP("udp"),
    /** A host unix socket whose connections go to a TCP port of a guest. */
    UNIX("unix"),
    /** A Windows named pipe: not on this platform. */
    NPIPE("npipe");

    private final String text;

    ForwardProtocol(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }

    /** Exact, as gvproxy compares: "TCP" is unknown. */
    public static ForwardProtocol parse(String text) throws ForwardException {
        for (ForwardProtocol protocol : values()) {
            if (protocol.text.equals(text)) {
                return protocol;
            }
        }
        throw new ForwardException("unknown protocol " + text);
    }

    /** unix and npipe take a URL as remote; tcp and udp an address (whose IP may be left to the API client's). */
    public boolean remoteIsUrl() {
        return this == UNIX || this == NPIPE;
    }
}
