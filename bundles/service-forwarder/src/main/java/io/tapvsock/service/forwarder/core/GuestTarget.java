package io.tapvsock.service.forwarder.core;

import io.tapvsock.api.Ipv4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;

/** Where a forward's connections go inside the virtual network: a guest's IPv4 address and port. */
public final class GuestTarget {

    private GuestTarget() {
    }

    /**
     * The guest address of a forward's remote: "IP:PORT" for tcp and udp, "tcp://IP:PORT" for unix (an
     * ssh-tunnel:// remote goes to {@link SshTunnelUrl} instead).
     *
     * @throws ForwardException with the text the API answers (500), e.g. "invalid remote addr"
     */
    public static InetSocketAddress of(ForwardProtocol protocol, String remote) throws ForwardException {
        if (!protocol.remoteIsUrl()) {
            return address(remote);
        }
        URI uri = uri(remote);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        return switch (scheme) {
            case "tcp" -> address((uri.getHost() == null ? "" : uri.getHost()) + ":"
                    + (uri.getPort() < 0 ? "" : uri.getPort()));
            default -> throw new ForwardException("remote protocol for unix forwarder is not implemented: " + scheme);
        };
    }

    /** A unix or npipe forward's remote as a URI, refused with gvproxy's text. */
    static URI uri(String remote) throws ForwardException {
        try {
            return new URI(remote);
        } catch (URISyntaxException e) {
            throw new ForwardException("failed to parse remote uri :" + remote + " : " + e.getMessage());
        }
    }

    /** "IP:PORT" with an IPv4 address and a port 1..65535 (gvproxy splits on ':' and wants two parts). */
    static InetSocketAddress address(String remote) throws ForwardException {
        String[] parts = remote.split(":", -1);
        if (parts.length != 2) {
            throw new ForwardException("invalid remote addr");
        }
        Ipv4Address ip;
        try {
            ip = Ipv4Address.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new ForwardException("invalid remote addr: " + e.getMessage());
        }
        int port;
        try {
            port = new HostPort(parts[0], parts[1]).portNumber("invalid remote addr");
        } catch (IllegalArgumentException e) {
            throw new ForwardException(e.getMessage());
        }
        if (port == 0) {
            throw new ForwardException("invalid remote addr: port 0");
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip.toBytes()), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }
}
