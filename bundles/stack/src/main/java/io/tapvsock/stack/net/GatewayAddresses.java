package io.tapvsock.stack.net;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.NetworkSettings;

/**
 * The settings the per-packet paths test, as primitives: built once per settings change so that no packet
 * boxes an address to compare it.
 */
public final class GatewayAddresses {

    private final int gatewayIp;
    private final long gatewayMac;
    private final int[] virtualIps;
    private final int network;
    private final int mask;
    private final int mtu;

    public GatewayAddresses(NetworkSettings settings) {
        gatewayIp = settings.gatewayIp().bits();
        gatewayMac = settings.gatewayMac().bits();
        virtualIps = settings.gatewayVirtualIps().stream().mapToInt(Ipv4Address::bits).toArray();
        network = settings.subnet().network().bits();
        mask = settings.subnet().maskBits();
        mtu = settings.mtu();
    }

    public int gatewayIp() {
        return gatewayIp;
    }

    public long gatewayMac() {
        return gatewayMac;
    }

    public int mtu() {
        return mtu;
    }

    /** The gateway IP or one of the virtual IPs the gateway answers ARP and ICMP echo for. */
    public boolean isGatewayAddress(int ip) {
        if (ip == gatewayIp) {
            return true;
        }
        for (int virtualIp : virtualIps) {
            if (virtualIp == ip) {
                return true;
            }
        }
        return false;
    }

    public boolean inSubnet(int ip) {
        return (ip & mask) == network;
    }

    /** The subnet's directed broadcast address. */
    public int subnetBroadcast() {
        return network | ~mask;
    }

    /** The limited broadcast 255.255.255.255 or the subnet's directed broadcast. */
    public boolean isBroadcast(int ip) {
        return ip == -1 || ip == subnetBroadcast();
    }
}
