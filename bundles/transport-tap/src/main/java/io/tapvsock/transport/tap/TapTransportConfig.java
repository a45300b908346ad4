package io.tapvsock.transport.tap;

import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.tap.TapConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One tap transport, validated: which TAP to open where, and how to set it up. Construction validates, and
 * every error names the property it is about.
 *
 * @param netns     the network namespace to open the TAP in (e.g. /var/run/netns/NAME); empty: the daemon's own
 * @param iface     the interface name (a TAP created when missing; one that exists, e.g. a persistent TAP made
 *                  with {@code ip tuntap add}, is attached to and outlives the transport)
 * @param mac       the guest-side MAC the kernel interface gets
 * @param mtu       the interface MTU, or 0 for the network's MTU
 * @param configure give the interface the network's device IP and prefix, bring it and lo up, and add a default
 *                  route via the gateway IP, as slirp4netns --configure does
 * @param offload   open the TAP with a virtio-net header and checksum + TCP/IPv4 segmentation offload: the
 *                  guest's kernel hands over 64 KiB TCP super-segments, and takes them from the network, whatever
 *                  the MTU
 */
public record TapTransportConfig(Optional<Path> netns, String iface, MacAddress mac, int mtu, boolean configure,
                                 boolean offload) {

    public static final String NETNS = "netns";
    public static final String IFACE = "iface";
    public static final String MAC = "mac";
    public static final String MTU = "mtu";
    public static final String CONFIGURE = "configure";
    public static final String OFFLOAD = "offload";

    public static final String DEFAULT_IFACE = "tap0";
    public static final boolean DEFAULT_OFFLOAD = true;

    public TapTransportConfig {
        require(netns != null, NETNS, "missing");
        netns.ifPresent(path -> require(path.isAbsolute(), NETNS, "\"" + path + "\" is not an absolute path"));
        require(iface != null, IFACE, "missing");
        try {
            TapConfig.named(iface);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(IFACE + ": " + e.getMessage(), e);
        }
        require(mac != null, MAC, "missing");
        require(!mac.isMulticast(), MAC, mac + " is a multicast address");
        require(mtu == 0 || mtu >= NetworkSettings.MIN_MTU && mtu <= NetworkSettings.MAX_MTU, MTU,
                mtu + " is neither 0 (the network's MTU) nor inside " + NetworkSettings.MIN_MTU + ".."
                        + NetworkSettings.MAX_MTU);
    }

    /** With offload on, the default. */
    public TapTransportConfig(Optional<Path> netns, String iface, MacAddress mac, int mtu, boolean configure) {
        this(netns, iface, mac, mtu, configure, DEFAULT_OFFLOAD);
    }

    /**
     * Defaults everywhere: tap0 in the daemon's own namespace, gvproxy's device MAC, the network MTU, configured,
     * offload on.
     */
    public static TapTransportConfig defaults() {
        return new TapTransportConfig(Optional.empty(), DEFAULT_IFACE, MacAddress.DEFAULT_DEVICE, 0, true,
                DEFAULT_OFFLOAD);
    }

    /**
     * From the component's configuration values; blank text means the default.
     *
     * @throws IllegalArgumentException naming the property, when a value is malformed
     */
    public static TapTransportConfig of(String netns, String iface, String mac, int mtu, boolean configure,
            boolean offload) {
        Optional<Path> namespace = blank(netns) ? Optional.empty() : Optional.of(Path.of(netns.trim()));
        String name = blank(iface) ? DEFAULT_IFACE : iface.trim();
        MacAddress address;
        try {
            address = blank(mac) ? MacAddress.DEFAULT_DEVICE : MacAddress.parse(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MAC + ": " + e.getMessage(), e);
        }
        return new TapTransportConfig(namespace, name, address, mtu, configure, offload);
    }

    /** The MTU to give the interface: the configured one, else the network's. */
    public int mtuFor(NetworkSettings settings) {
        return mtu == 0 ? settings.mtu() : mtu;
    }

    /** "tap tap0 in /var/run/netns/g1": the switch port's description. */
    public String describe() {
        return "tap " + iface + " in " + netns.map(Path::toString).orElse("the daemon's namespace");
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }

    private static void require(boolean condition, String property, String reason) {
        if (!condition) {
            throw new IllegalArgumentException(property + ": " + reason);
        }
    }
}
