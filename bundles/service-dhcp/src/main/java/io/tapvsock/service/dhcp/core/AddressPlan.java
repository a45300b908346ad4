package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.Ipv4Subnet;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which addresses may be handed out under the network settings in force: static ones to their MAC only,
 * dynamic ones from the subnet minus the network and broadcast addresses, the gateway, the host IP, the
 * gateway's virtual IPs and every static address. Immutable; rebuilt when the settings or the configuration change.
 */
public final class AddressPlan {

    private final Ipv4Subnet subnet;
    private final Set<Ipv4Address> reserved;
    private final Map<MacAddress, Ipv4Address> staticByMac;
    private final Map<Ipv4Address, MacAddress> staticByIp;

    /**
     * @param staticLeases the configured static leases; any that the settings make invalid are left out (see
     *         {@link #problem})
     */
    public AddressPlan(NetworkSettings settings, List<StaticLease> staticLeases) {
        this.subnet = settings.subnet();
        Set<Ipv4Address> taken = new HashSet<>(settings.gatewayVirtualIps());
        taken.add(settings.gatewayIp());
        taken.add(settings.hostIp());
        this.reserved = Collections.unmodifiableSet(taken);
        Map<MacAddress, Ipv4Address> byMac = new HashMap<>();
        Map<Ipv4Address, MacAddress> byIp = new HashMap<>();
        for (StaticLease lease : staticLeases) {
            if (problem(lease.address(), settings) == null && !byIp.containsKey(lease.address())
                    && !byMac.containsKey(lease.mac())) {
                byMac.put(lease.mac(), lease.address());
                byIp.put(lease.address(), lease.mac());
            }
        }
        this.staticByMac = Map.copyOf(byMac);
        this.staticByIp = Map.copyOf(byIp);
    }

    /** Why {@code address} cannot be leased to anyone under {@code settings}, or null when it can. */
    public static String problem(Ipv4Address address, NetworkSettings settings) {
        Ipv4Subnet subnet = settings.subnet();
        if (!subnet.contains(address)) {
            return address + " is outside the subnet " + subnet;
        }
        if (address.equals(subnet.network())) {
            return address + " is the network address of " + subnet;
        }
        if (address.equals(subnet.broadcast())) {
            return address + " is the broadcast address of " + subnet;
        }
        if (address.equals(settings.gatewayIp())) {
            return address + " is the gateway IP";
        }
        if (address.equals(settings.hostIp())) {
            return address + " is the host IP";
        }
        if (settings.gatewayVirtualIps().contains(address)) {
            return address + " is a gateway virtual IP";
        }
        return null;
    }

    public Ipv4Subnet subnet() {
        return subnet;
    }

    /** The static address of {@code mac}, or null. */
    public Ipv4Address staticAddress(MacAddress mac) {
        return staticByMac.get(mac);
    }

    public boolean isStatic(Ipv4Address address) {
        return staticByIp.containsKey(address);
    }

    /** Static leases in force, by address. */
    public Map<Ipv4Address, MacAddress> staticLeases() {
        return staticByIp;
    }

    /** May the pool hand this address out? */
    public boolean isDynamic(Ipv4Address address) {
        return subnet.isUsableHost(address) && !reserved.contains(address) && !staticByIp.containsKey(address);
    }

    /** May {@code mac} have {@code address}: its own static address, or a dynamic one. */
    public boolean isAssignable(Ipv4Address address, MacAddress mac) {
        MacAddress owner = staticByIp.get(address);
        return owner != null ? owner.equals(mac) : isDynamic(address);
    }
}
