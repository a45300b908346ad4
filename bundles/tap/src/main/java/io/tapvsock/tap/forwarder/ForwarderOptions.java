package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.TapConfig;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The forwarder's command line: gvforwarder's flags and defaults (compat.md §3), plus -dhcp (on by default, as
 * gvforwarder always runs its DHCP client) and -offload (tapvsock's vnet mode, qemu+ URLs only).
 *
 * @param url         where the daemon listens: see {@link Endpoint}
 * @param iface       TAP interface name
 * @param stopIfExist comma-separated interface names whose presence at startup means "do nothing, exit 0"
 *                    (podman passes "ignore", a name no interface has, to never stop)
 * @param mac         MAC address given to the TAP; empty: keep the kernel's
 * @param mtu         MTU given to the TAP
 * @param preexisting attach to an existing, already configured TAP: no MAC, MTU or link change, and no DHCP
 * @param debug       FINE logging with one line per frame
 * @param dhcp        run a DHCP client on the interface once the link is up and connected (unless preexisting)
 * @param offload     on endpoints that take it (qemu+ URLs): open the TAP with a virtio-net header and offer the
 *                    daemon checksum and TCP segmentation offload (a hello it may answer); false: plain frames
 * @param version     print the version and exit
 */
record ForwarderOptions(String url, String iface, String stopIfExist, String mac, int mtu, boolean preexisting,
                        boolean debug, boolean dhcp, boolean offload, boolean version) {

    static final String PROGRAM = "tapvsock-forwarder";
    static final String DEFAULT_URL = "vsock://2:1024/connect";

    /** The flag set with every flag defined at its default: parse into it, or print its usage. */
    static GoFlagSet flagSet() {
        GoFlagSet flags = new GoFlagSet(PROGRAM);
        flags.stringFlag("url", DEFAULT_URL, "url where the tap send packets");
        flags.stringFlag("iface", "tap0", "tap interface name");
        flags.stringFlag("stop-if-exist", "eth0,ens3,enp0s1", "stop if one of these interfaces exists at startup");
        flags.stringFlag("mac", "5a:94:ef:e4:0c:ee", "mac address");
        flags.intFlag("mtu", 4000, "mtu");
        flags.boolFlag("preexisting", false, "use preexisting/preconfigured TAP interface");
        flags.boolFlag("debug", false, "debug");
        flags.boolFlag("dhcp", true, "run a DHCP client (udhcpc or dhclient) on the interface once connected, "
                + "unless -preexisting");
        flags.boolFlag("offload", true, "on qemu+unix/qemu+tcp URLs, offer the daemon checksum and TCP "
                + "segmentation offload (tapvsock daemons only; others never answer and the link stays plain)");
        flags.boolFlag("version", false, "Print version information");
        return flags;
    }

    static String usage() {
        return flagSet().usage();
    }

    /**
     * Parses args by Go's rules, then checks values Go would only trip over later (they name the flag).
     *
     * @throws FlagException a parse error or -h/-help
     * @throws IllegalArgumentException a value the forwarder cannot use, e.g. "invalid value \"10\" for flag -mtu"
     */
    static ForwarderOptions parse(String... args) throws FlagException {
        GoFlagSet flags = flagSet();
        flags.parse(Arrays.asList(args));
        long mtu = flags.intValue("mtu");
        if (mtu < TapConfig.MIN_MTU || mtu > TapConfig.MAX_MTU) {
            throw new IllegalArgumentException("invalid value \"" + mtu + "\" for flag -mtu: not in "
                    + TapConfig.MIN_MTU + ".." + TapConfig.MAX_MTU);
        }
        var options = new ForwarderOptions(flags.stringValue("url"), flags.stringValue("iface"),
                flags.stringValue("stop-if-exist"), flags.stringValue("mac"), (int) mtu,
                flags.boolValue("preexisting"), flags.boolValue("debug"), flags.boolValue("dhcp"),
                flags.boolValue("offload"), flags.boolValue("version"));
        if (!options.version) {
            options.tapConfig(false); // validates -iface and -mac
        }
        return options;
    }

    /** Whether a DHCP client runs: gvforwarder runs one unless the TAP is preexisting. */
    boolean runsDhcp() {
        return dhcp && !preexisting;
    }

    /**
     * What to open: the named TAP, configured (MAC unless -mac is empty, MTU, up) unless it is preexisting; with
     * -offload and an endpoint that offers vnet mode, with a virtio-net header (the relay turns the offload
     * features off until the daemon agrees).
     */
    TapConfig tapConfig(boolean vnetOffered) {
        TapConfig config;
        try {
            config = TapConfig.named(iface).offload(offload && vnetOffered);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value \"" + iface + "\" for flag -iface: " + e.getMessage());
        }
        if (preexisting) {
            return config.preexisting(true);
        }
        if (!mac.isEmpty()) {
            try {
                config = config.withMac(parseMac(mac));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid value \"" + mac + "\" for flag -mac: " + e.getMessage());
            }
        }
        return config.withMtu(mtu).up(true);
    }

    /** A 48-bit MAC as Go's net.ParseMAC writes it: 5a:94:ef:e4:0c:ee, 5a-94-ef-e4-0c-ee or 5a94.efe4.0cee. */
    static byte[] parseMac(String text) {
        String[] groups = text.split("\\.", -1);
        if (groups.length != 3) {
            return TapConfig.parseMac(text);
        }
        byte[] bytes = new byte[6];
        for (int i = 0; i < 3; i++) {
            String group = groups[i];
            if (group.length() != 4 || !group.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException("not a MAC address: \"" + text + "\"");
            }
            bytes[2 * i] = (byte) HexFormat.fromHexDigits(group, 0, 2);
            bytes[2 * i + 1] = (byte) HexFormat.fromHexDigits(group, 2, 4);
        }
        return bytes;
    }

    /**
     * The -stop-if-exist names as gvforwarder splits them: at commas, nothing trimmed (no interface name has
     * blanks, so " eth0" matches nothing there either); empty names dropped (none exists).
     */
    List<String> stopInterfaces() {
        return Arrays.stream(stopIfExist.split(",")).filter(name -> !name.isEmpty()).toList();
    }
}
