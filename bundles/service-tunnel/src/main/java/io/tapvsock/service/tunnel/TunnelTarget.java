package io.tapvsock.service.tunnel;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Where a {@code POST /tunnel?ip=A.B.C.D&port=N} goes: a guest's address inside the virtual network and a TCP
 * port. gvproxy answers a missing ip or a port that is not a number with 500 and the reason, and dials
 * anything else; here every target the stack could not reach is refused the same way, before the connection
 * leaves HTTP: an address outside the subnet, its network or broadcast address, the gateway's own addresses
 * (they are not a guest) and port 0.
 *
 * @param ip   a usable host address of the subnet, not the gateway's
 * @param port 1..65535
 */
record TunnelTarget(Ipv4Address ip, int port) {

    /**
     * @param requestTarget the request line's target, e.g. {@code /tunnel?ip=192.168.127.2&port=8080}
     * @throws IllegalArgumentException with the reason the client gets
     */
    static TunnelTarget parse(String requestTarget, NetworkSettings settings) {
        QueryStringDecoder decoder = new QueryStringDecoder(requestTarget);
        String ipText = first(decoder, "ip");
        if (ipText == null || ipText.isEmpty()) {
            throw new IllegalArgumentException("ip is mandatory");
        }
        String portText = first(decoder, "port");
        if (portText == null || portText.isEmpty()) {
            throw new IllegalArgumentException("port is mandatory");
        }
        Ipv4Address ip = Ipv4Address.parse(ipText); // quotes the text when it is not an IPv4 address
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port must be a number 1..65535: \"" + portText + "\"");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be a number 1..65535: \"" + portText + "\"");
        }
        if (!settings.subnet().contains(ip)) {
            throw new IllegalArgumentException("ip " + ip + " is outside the virtual network " + settings.subnet());
        }
        if (!settings.subnet().isUsableHost(ip)) {
            throw new IllegalArgumentException("ip " + ip + " is the network or broadcast address of "
                    + settings.subnet());
        }
        if (settings.isGatewayAddress(ip)) {
            throw new IllegalArgumentException("ip " + ip + " is the gateway's own address, not a guest's");
        }
        return new TunnelTarget(ip, port);
    }

    InetSocketAddress socketAddress() {
        return new InetSocketAddress(inetAddress(ip), port);
    }

    static InetAddress inetAddress(Ipv4Address ip) {
        try {
            return InetAddress.getByAddress(ip.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an address", e);
        }
    }

    @Override
    public String toString() {
        return ip + ":" + port;
    }

    private static String first(QueryStringDecoder decoder, String name) {
        List<String> values = decoder.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
