package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.TapConfig;
import java.util.Arrays;
import java.util.List;

/**
 * The forwarder's command line: gvforwarder's flags and defaults (compat.md §3), plus -dhcp.
 *
 * @param url         where the daemon listens (qemu+unix:///PATH or qemu+tcp://HOST:PORT for now)
 * @param iface       TAP interface name
 * @param stopIfExist comma-separated interface names whose presence at startup means "do nothing, exit 0"
 * @param mac         MAC address given to the TAP
 * @param mtu         MTU given to the TAP
 * @param preexisting attach to an existing, already configured TAP: no MAC, MTU or link change
 * @param debug       FINE logging with one line per frame
 * @param dhcp        run a DHCP client on the interface once the link is up and connected
 * @param offload     open the TAP with a virtio-net header and offer the daemon checksum and TCP segmentation
 *                    offload (a hello it may answer); false: plain frames only, no hello
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
        flags.boolFlag("dhcp", false, "run a DHCP client (udhcpc or dhclient) on the interface once connected");
        flags.boolFlag("offload", true, "offer the daemon checksum and TCP segmentation offload (tapvsock daemons "
                + "only; others never answer and the link stays plain)");
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
            options.tapConfig(); // validates -iface and -mac
        }
        return options;
    }

    /**
     * What to open: the named TAP, configured (MAC, MTU, up) unless it is preexisting; with -offload, with a
     * virtio-net header (the relay turns the offload features off until the daemon agrees).
     */
    TapConfig tapConfig() {
        TapConfig config;
        try {
            config = TapConfig.named(iface).offload(offload);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value \"" + iface + "\" for flag -iface: " + e.getMessage());
        }
        if (preexisting) {
            return config.preexisting(true);
        }
        byte[] address;
        try {
            address = TapConfig.parseMac(mac);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid value \"" + mac + "\" for flag -mac: " + e.getMessage());
        }
        return config.withMac(address).withMtu(mtu).up(true);
    }

    /** The -stop-if-exist names, blanks dropped. */
    List<String> stopInterfaces() {
        return Arrays.stream(stopIfExist.split(",")).map(String::trim).filter(name -> !name.isEmpty()).toList();
    }
}
