package io.tapvsock.service.forwarder.core;

/**
 * One port forward in gvproxy's JSON shape ({@code GET /services/forwarder/all}): what was asked for, with the
 * remote's empty IP already replaced by the API client's address.
 *
 * @param local    tcp/udp: the host address to listen on, "IP:PORT", ":PORT" (every address) or "[v6]:PORT";
 *                 unix: a socket path
 * @param remote   tcp/udp: the guest's "IP:PORT"; unix: "tcp://IP:PORT" (or "ssh-tunnel://...")
 * @param protocol "tcp", "udp", "unix" or "npipe", as given
 */
public record Forward(String local, String remote, String protocol) {

    public Forward {
        local = local == null ? "" : local;
        remote = remote == null ? "" : remote;
        protocol = protocol == null || protocol.isEmpty() ? ForwardProtocol.TCP.text() : protocol;
    }

    /** gvproxy's key: one forward per protocol and local address. */
    public String key() {
        return key(protocol, local);
    }

    public static String key(String protocol, String local) {
        return protocol + "/" + local;
    }
}
