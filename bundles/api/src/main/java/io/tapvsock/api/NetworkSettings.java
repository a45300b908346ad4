package io.tapvsock.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The virtual network's settings: configuration PID {@value #PID}; its keys are gvproxy's YAML names under
 * {@code stack:}. Construction validates, and every error names the field it is about.
 *
 * @param subnet the virtual network (gvproxy {@code -subnet})
 * @param gatewayIp the stack's own address: DHCP, DNS, ICMP echo, the in-VM API
 * @param gatewayMac the stack's own MAC address
 * @param deviceIp the address the default guest MAC gets (static lease)
 * @param hostIp the address the guest uses to reach the host; by default NATed to 127.0.0.1
 * @param mtu link MTU, also DHCP option 26
 * @param nat destination rewrites for guest traffic: virtual address to host address
 * @param gatewayVirtualIps further addresses the gateway answers ARP for
 * @param ec2MetadataAccess allow guest traffic to 169.254.0.0/16 (blocked otherwise)
 */
public record NetworkSettings(Ipv4Subnet subnet, Ipv4Address gatewayIp, MacAddress gatewayMac, Ipv4Address deviceIp,
        Ipv4Address hostIp, int mtu, Map<Ipv4Address, Ipv4Address> nat, List<Ipv4Address> gatewayVirtualIps,
        boolean ec2MetadataAccess) {

    public static final String PID = "io.tapvsock.network";
    /** A second PID merged over {@link #PID}: the launcher writes command-line flags there, so flags win. */
    public static final String FLAGS_PID = "io.tapvsock.network.flags";

    public static final String SUBNET = "subnet";
    public static final String GATEWAY_IP = "gatewayIP";
    public static final String GATEWAY_MAC = "gatewayMacAddress";
    public static final String DEVICE_IP = "deviceIP";
    public static final String HOST_IP = "hostIP";
    public static final String MTU = "mtu";
    public static final String NAT = "nat";
    public static final String GATEWAY_VIRTUAL_IPS = "gatewayVirtualIPs";
    public static final String EC2_METADATA_ACCESS = "ec2MetadataAccess";

    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;

    public NetworkSettings {
        require(subnet != null, SUBNET, "missing");
        require(subnet.prefixLength() <= 30, SUBNET, subnet + " has no room for a gateway, a device and a host");
        checkHost(subnet, GATEWAY_IP, gatewayIp);
        checkHost(subnet, DEVICE_IP, deviceIp);
        checkHost(subnet, HOST_IP, hostIp);
        require(!gatewayIp.equals(deviceIp), DEVICE_IP, deviceIp + " is also the gateway IP");
        require(!gatewayIp.equals(hostIp), HOST_IP, hostIp + " is also the gateway IP");
        require(!deviceIp.equals(hostIp), HOST_IP, hostIp + " is also the device IP");
        require(gatewayMac != null, GATEWAY_MAC, "missing");
        require(!gatewayMac.isMulticast(), GATEWAY_MAC, gatewayMac + " is a multicast address");
        require(mtu >= MIN_MTU && mtu <= MAX_MTU, MTU, mtu + " is outside " + MIN_MTU + ".." + MAX_MTU);
        nat = Map.copyOf(nat);
        gatewayVirtualIps = List.copyOf(gatewayVirtualIps);
    }

    /** gvproxy's defaults: 192.168.127.0/24, gateway .1, device .2, host .254, MTU 1500. */
    public static NetworkSettings defaults() {
        return fromProperties(Map.of());
    }

    /**
     * Reads a configuration dictionary. Absent keys take gvproxy's defaults, derived from the subnet; list values
     * may be arrays, collections or comma-separated text; the NAT map is written "virtual=host" per entry.
     *
     * @throws IllegalArgumentException naming the field, when a value is malformed or the whole is inconsistent
     */
    public static NetworkSettings fromProperties(Map<String, ?> properties) {
        Ipv4Subnet subnet = field(SUBNET, () -> Ipv4Subnet.parse(text(properties, SUBNET, "192.168.127.0/24")));
        Ipv4Address gateway = address(properties, GATEWAY_IP, subnet.address(1));
        Ipv4Address device = address(properties, DEVICE_IP, subnet.address(2));
        Ipv4Address host = address(properties, HOST_IP, subnet.lastUsable());
        MacAddress gatewayMac = field(GATEWAY_MAC,
                () -> MacAddress.parse(text(properties, GATEWAY_MAC, MacAddress.DEFAULT_GATEWAY.toString())));
        int mtu = field(MTU, () -> Integer.parseInt(text(properties, MTU, "1500")));
        Map<Ipv4Address, Ipv4Address> nat = new LinkedHashMap<>();
        List<String> natEntries = list(properties, NAT);
        if (natEntries == null) {
            nat.put(host, Ipv4Address.LOOPBACK);
        } else {
            for (String entry : natEntries) {
                int eq = entry.indexOf('=');
                require(eq > 0, NAT, "entry \"" + entry + "\" is not virtual=host");
                nat.put(field(NAT, () -> Ipv4Address.parse(entry.substring(0, eq))),
                        field(NAT, () -> Ipv4Address.parse(entry.substring(eq + 1))));
            }
        }
        List<Ipv4Address> virtualIps = new ArrayList<>();
        List<String> virtualEntries = list(properties, GATEWAY_VIRTUAL_IPS);
        if (virtualEntries == null) {
            virtualIps.add(host);
        } else {
            for (String entry : virtualEntries) {
                virtualIps.add(field(GATEWAY_VIRTUAL_IPS, () -> Ipv4Address.parse(entry)));
            }
        }
        String ec2 = text(properties, EC2_METADATA_ACCESS, "false");
        require(ec2.equals("true") || ec2.equals("false"), EC2_METADATA_ACCESS, "\"" + ec2 + "\" is not true or false");
        return new NetworkSettings(subnet, gateway, gatewayMac, device, host, mtu, nat, virtualIps, Boolean.parseBoolean(ec2));
    }

    /** The properties that {@link #fromProperties} reads back into an equal value. */
    public Map<String, Object> toProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(SUBNET, subnet.toString());
        properties.put(GATEWAY_IP, gatewayIp.toString());
        properties.put(GATEWAY_MAC, gatewayMac.toString());
        properties.put(DEVICE_IP, deviceIp.toString());
        properties.put(HOST_IP, hostIp.toString());
        properties.put(MTU, Integer.toString(mtu));
        properties.put(NAT, nat.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toArray(String[]::new));
        properties.put(GATEWAY_VIRTUAL_IPS, gatewayVirtualIps.stream().map(Ipv4Address::toString).toArray(String[]::new));
        properties.put(EC2_METADATA_ACCESS, Boolean.toString(ec2MetadataAccess));
        return properties;
    }

    /** Is this address one the gateway itself answers for (its IP or a virtual IP)? */
    public boolean isGatewayAddress(Ipv4Address address) {
        return gatewayIp.equals(address) || gatewayVirtualIps.contains(address);
    }

    private static void checkHost(Ipv4Subnet subnet, String field, Ipv4Address address) {
        require(address != null, field, "missing");
        require(subnet.isUsableHost(address), field,
                address + " is not a usable host address of " + subnet + " (inside it, not network or broadcast)");
    }

    private static void require(boolean condition, String field, String reason) {
        if (!condition) {
            throw new IllegalArgumentException(field + ": " + reason);
        }
    }

    private static Ipv4Address address(Map<String, ?> properties, String key, Ipv4Address fallback) {
        return field(key, () -> Ipv4Address.parse(text(properties, key, fallback.toString())));
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T field(String field, Parse<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(field + ": ")) {
                throw e;
            }
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    private static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        if (value == null) {
            return fallback;
        }
        String text = String.valueOf(value).trim();
        return text.isEmpty() ? fallback : text;
    }

    /** A list-valued property, or null when absent. */
    static List<String> list(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        if (value == null) {
            return null;
        }
        List<String> items = new ArrayList<>();
        if (value instanceof String[] array) {
            items.addAll(Arrays.asList(array));
        } else if (value instanceof Collection<?> collection) {
            collection.forEach(item -> items.add(String.valueOf(item)));
        } else {
            items.addAll(Arrays.asList(String.valueOf(value).split(",")));
        }
        items.replaceAll(String::trim);
        items.removeIf(String::isEmpty);
        return items;
    }
}
