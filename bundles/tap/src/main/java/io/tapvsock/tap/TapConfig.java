package io.tapvsock.tap;

import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What to open and how to configure it.
 *
 * @param name        interface name, 1..15 bytes of ASCII (IFNAMSIZ - 1)
 * @param namespace   network namespace to open the TAP in (e.g. /var/run/netns/guest1); empty: the caller's
 * @param preexisting attach to an interface that must already exist (e.g. made by {@code ip tuntap add}) instead
 *                    of creating it when missing
 * @param mac         hardware address to set, six octets; empty: keep the kernel's random one
 * @param mtu         link MTU to set (68..65535); empty: keep the current one
 * @param up          bring the link up after configuring it
 * @param offload     open the TAP with a virtio-net header in front of every frame ({@code IFF_VNET_HDR}) and
 *                    offer the kernel checksum and TCP/IPv4 segmentation offload ({@code TUNSETOFFLOAD}
 *                    TUN_F_CSUM | TUN_F_TSO4): reads may then return 64 KiB TCP super-segments with partial
 *                    checksums, and writes may carry them. See {@link TapDevice#VNET_HEADER_LENGTH}.
 */
public record TapConfig(String name, Optional<Path> namespace, boolean preexisting, Optional<byte[]> mac,
                        OptionalInt mtu, boolean up, boolean offload) {

    /** The largest name the kernel accepts (IFNAMSIZ is 16 including the NUL). */
    public static final int MAX_NAME_LENGTH = 15;
    public static final int MIN_MTU = 68;
    public static final int MAX_MTU = 65535;

    public TapConfig {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.chars().allMatch(c -> c > ' ' && c < 127
                && c != '/' && c != ':')) {
            throw new IllegalArgumentException("not a usable interface name: \"" + name + "\"");
        }
        mac.ifPresent(bytes -> {
            if (bytes.length != 6) {
                throw new IllegalArgumentException("a MAC address has 6 octets, not " + bytes.length);
            }
        });
        mac = mac.map(byte[]::clone);
        mtu.ifPresent(value -> {
            if (value < MIN_MTU || value > MAX_MTU) {
                throw new IllegalArgumentException("MTU " + value + " is outside " + MIN_MTU + ".." + MAX_MTU);
            }
        });
    }

    /** Without offload: the form before {@code offload} existed (frames only, no virtio-net header). */
    public TapConfig(String name, Optional<Path> namespace, boolean preexisting, Optional<byte[]> mac,
            OptionalInt mtu, boolean up) {
        this(name, namespace, preexisting, mac, mtu, up, false);
    }

    /**
     * A TAP of that name in the caller's namespace, created if missing, left as the kernel configures it, without
     * offload.
     */
    public static TapConfig named(String name) {
        return new TapConfig(name, Optional.empty(), false, Optional.empty(), OptionalInt.empty(), false, false);
    }

    public TapConfig inNamespace(Path path) {
        return new TapConfig(name, Optional.of(path), preexisting, mac, mtu, up, offload);
    }

    public TapConfig preexisting(boolean mustExist) {
        return new TapConfig(name, namespace, mustExist, mac, mtu, up, offload);
    }

    public TapConfig withMac(byte[] address) {
        return new TapConfig(name, namespace, preexisting, Optional.of(address), mtu, up, offload);
    }

    /** @param address six hex octets separated by ':' or '-' */
    public TapConfig withMac(String address) {
        return withMac(parseMac(address));
    }

    public TapConfig withMtu(int value) {
        return new TapConfig(name, namespace, preexisting, mac, OptionalInt.of(value), up, offload);
    }

    public TapConfig up(boolean bringUp) {
        return new TapConfig(name, namespace, preexisting, mac, mtu, bringUp, offload);
    }

    /** @see #offload() */
    public TapConfig offload(boolean withVnetHeader) {
        return new TapConfig(name, namespace, preexisting, mac, mtu, up, withVnetHeader);
    }

    /** Parses "5a:94:ef:e4:0c:ee" (or with '-'); anything else is an IllegalArgumentException. */
    public static byte[] parseMac(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
        }
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            String part = parts[i];
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0))
                    || !HexFormat.isHexDigit(part.charAt(1))) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            bytes[i] = (byte) HexFormat.fromHexDigits(part);
        }
        return bytes;
    }

    /** The MAC to set, as a fresh copy (records hand out their arrays otherwise). */
    @Override
    public Optional<byte[]> mac() {
        return mac.map(byte[]::clone);
    }
}
