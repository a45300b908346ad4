package io.tapvsock.service.forwarder.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/**
 * The address a guest sees a forwarded connection come from. gvproxy shows the gateway for every client
 * (compat.md section 7 lists that as a complaint); we show the real client where the guest can answer it.
 */
public final class SourceAddresses {

    private SourceAddresses() {
    }

    /**
     * The source for a connection from {@code client}.
     * <ul>
     * <li>{@code fromGateway}: gvproxy's behaviour, the gateway IP with a free port;</li>
     * <li>a public IPv4 client: its own address and port (the guest answers through the gateway);</li>
     * <li>a loopback, IPv6 or unix-socket client, or one whose address the guest would look for on its own link:
     * the host IP (the address that reaches the host's 127.0.0.1), with the client's port, provided the gateway
     * answers ARP for the host IP; else the gateway IP.</li>
     * </ul>
     * The port is 0 (pick a free one) when the client has none.
     */
    public static InetSocketAddress forClient(SocketAddress client, NetworkSettings settings, boolean fromGateway) {
        if (fromGateway) {
            return socket(settings.gatewayIp(), 0);
        }
        if (!(client instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return socket(local(settings), 0);
        }
        Ipv4Address ip = ipv4(inet.getAddress());
        if (ip == null || ip.isLoopback() || ip.equals(Ipv4Address.ANY) || ip.isLinkLocal() || ip.isMulticast()
                || ip.equals(Ipv4Address.BROADCAST)
                || settings.subnet().contains(ip) && !settings.isGatewayAddress(ip)) {
            return socket(local(settings), inet.getPort());
        }
        return socket(ip, inet.getPort());
    }

    /** The address that stands for the host itself. */
    private static Ipv4Address local(NetworkSettings settings) {
        return settings.isGatewayAddress(settings.hostIp()) ? settings.hostIp() : settings.gatewayIp();
    }

    /** IPv4, or IPv4-mapped IPv6 unwrapped; null for other IPv6. */
    private static Ipv4Address ipv4(InetAddress address) {
        if (address instanceof Inet4Address) {
            return Ipv4Address.fromBytes(address.getAddress());
        }
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            for (int i = 0; i < 10; i++) {
                if (bytes[i] != 0) {
                    return null;
                }
            }
            if (bytes[10] == (byte) 0xFF && bytes[11] == (byte) 0xFF) {
                return Ipv4Address.fromBytes(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]});
            }
        }
        return null;
    }

    private static InetSocketAddress socket(Ipv4Address ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip.toBytes()), port);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }
}
