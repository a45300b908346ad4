package io.tapvsock.launcher;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The command line of bin/tapvsock and bin/gvproxy: gvproxy's flags (compat.md section 1) and ours
 * ({@code --shell}, {@code -exec}, {@code -state-dir}, {@code -control}, {@code -pid}).
 *
 * @param listen API endpoints ({@code -listen}, repeatable)
 * @param services the API endpoint without /connect ({@code -services}), or null
 * @param listenQemu the qemu transport listener, or null
 * @param listenBess the bess transport listener ({@code unixpacket:///path}), or null
 * @param listenVfkit the vfkit transport listener ({@code unixgram:///path}), or null
 * @param listenTap the tap transport's links ({@code -listen-tap}, repeatable)
 * @param listenVpnkit the vpnkit transport listener, or null
 * @param listenStdio the {@code -listen-stdio} value (frames on stdin/stdout), or null
 * @param networkFlags the network flags that were given, as {@code io.tapvsock.network.flags} properties
 * @param debug debug logging
 * @param pidFile where to write the pid, or null
 * @param logFile where to log (truncated), or null for stderr
 * @param version print the version and exit
 * @param shell an interactive Gogo console on the terminal
 * @param exec a Gogo command to run in an already running daemon, or null
 * @param stateDir the framework's storage directory, or null for a fresh one in the runtime directory
 * @param control the control socket (daemon: where to listen; -exec: where to connect), or null for the default
 * @param pid with -exec: the daemon to talk to, or 0
 * @param sshPort gvproxy's -ssh-port: forward 127.0.0.1:N to the device IP's port 22, or -1 for none
 * @param pcap gvproxy's -pcap: the file every frame is captured to, or null
 * @param notification gvproxy's -notification: the unix socket events go to, or null
 * @param config the -config file (its flag values are already in the others), or null
 * @param forwards the -forward-sock/-dest/-user/-identity quadruples, in flag order
 */
record DaemonOptions(List<ListenUrl> listen, ListenUrl services, ListenUrl listenQemu, ListenUrl listenBess, ListenUrl listenVfkit,
        List<TapFlag> listenTap, ListenUrl listenVpnkit, String listenStdio,
        Map<String, String> networkFlags, boolean debug,
        ConfigFile config,
        Path pidFile, Path logFile, boolean version, boolean shell, String exec, Path stateDir, Path control,
        long pid, int sshPort, Path pcap, ListenUrl notification, List<ForwardFlag> forwards) {

    static Flags grammar(String program) {
        return new Flags(program)
                .repeated("listen", "API endpoint, unix:///path or tcp://host:port (repeatable)")
                .string("listen-qemu", "socket for QEMU's stream netdev, unix:///path or tcp://host:port")
                .repeated("listen-tap", "a TAP the daemon opens in a network namespace, "
                        + "netns=/var/run/netns/NAME,iface=tap0[,mac=M][,mtu=N][,configure=true] (repeatable)")
                .integer("mtu", "link MTU, also announced by DHCP", 1500)
                .string("subnet", "virtual network, CIDR (default 192.168.127.0/24)")
                .string("gatewayIP", "the gateway's address (default the subnet's .1)")
                .string("deviceIP", "the address of the guest with the default MAC (default .2)")
                .string("hostIP", "the address that reaches the host's 127.0.0.1 (default the last usable)")
                .bool("ec2-metadata-access", "allow guest traffic to 169.254.0.0/16")
                .bool("debug", "debug logging")
                .string("pid-file", "write the process id to this file (no newline); removed on exit")
                .string("log-file", "log to this file (truncated) instead of stderr")
                .bool("version", "print the version and exit")
                .bool("shell", "interactive Gogo shell on this terminal; leaving it stops the daemon")
                .string("exec", "run one Gogo command in the running daemon and print its output")
                .string("state-dir", "framework storage directory (default a fresh one in the runtime directory)")
                .string("control", "control socket path (default RUNTIME_DIR/PID.sock)")
                .integer("pid", "with -exec: the process id of the daemon to talk to", 0)
                .integer("ssh-port", "forward 127.0.0.1:N to the guest's SSH port (deviceIP:22); -1 disables", 2222)
                .string("services", "API endpoint without /connect, unix:///path or tcp://host:port")
                .string("listen-bess", "socket for User Mode Linux's vec0 bess transport, unixpacket:///path")
                .string("listen-vfkit", "socket for vfkit or QEMU's dgram netdev, unixgram:///path")
                .string("listen-vpnkit", "socket for hyperkit's VPNKit protocol (many clients), unix:///path or tcp://host:port")
                .string("listen-stdio", "accept: frames on stdin/stdout; the daemon exits when stdin ends")
                .repeated("forward-sock", "host unix socket (mode 0600) forwarded over SSH to the guest (repeatable)")
                .repeated("forward-dest", "the forwarded socket's path in the guest (one per -forward-sock)")
                .repeated("forward-user", "SSH user in the guest (one per -forward-sock)")
                .repeated("forward-identity", "SSH private key file (one per -forward-sock)")
                .string("pcap", "capture every frame of the virtual network to this pcap file")
                .string("notification", "unix:///path of a listening socket for JSON events (ready, connections)")
                .string("config", "gvproxy's YAML configuration file; flags override it");
    }

    /**
     * Parses and checks a command line: syntax (Go's rules), flags we do not implement, listener URLs and an
     * existing qemu socket path. Network values are checked later against the configuration file
     * ({@link NetworkFlags#validate}).
     */
    static DaemonOptions parse(String program, List<String> args) throws FlagException, Flags.HelpRequested {
        Flags.Parsed given = grammar(program).parse(args);
        // As gvproxy: an empty -config is none.
        ConfigFile config = given.isSet("config") && !given.value("config").isEmpty()
                ? ConfigFile.read(Path.of(given.value("config")).toAbsolutePath()).overriddenBy(given) : null;
        try {
            return parse(ConfigFile.under(config, given), config);
        } catch (FlagException e) {
            throw config == null ? e : config.attribute(e);
        }
    }

    /** The checks, on the command line with the -config file's values under it. */
    private static DaemonOptions parse(Flags.Parsed flags, ConfigFile config) throws FlagException {
        int sshPort = flags.integer("ssh-port");
        if (sshPort != -1 && (sshPort < 1024 || sshPort > 65535)) {
            throw FlagException.invalid("-ssh-port " + sshPort + ": not -1 (disabled) or 1024..65535");
        }
        List<ListenUrl> listen = new ArrayList<>();
        for (String url : flags.all("listen")) {
            listen.add(ListenUrl.parse("listen", url));
        }
        // As gvproxy: an empty -services is none. vsock:// is refused (it is -listen's, with /connect).
        ListenUrl services = flags.isSet("services") && !flags.value("services").isEmpty()
                ? ListenUrl.parse("services", flags.value("services")) : null;
        ListenUrl qemu = null;
        if (flags.isSet("listen-qemu")) {
            qemu = ListenUrl.parse("listen-qemu", flags.value("listen-qemu"));
            // Upstream refuses an existing path rather than deleting what may be another daemon's socket.
            if (qemu.socketPath() != null && Files.exists(qemu.socketPath(), LinkOption.NOFOLLOW_LINKS)) {
                throw FlagException.invalid("-listen-qemu " + qemu.text() + ": " + qemu.socketPath()
                        + " already exists (remove it, or is another daemon using it?)");
            }
        }
        ListenUrl bess = null;
        if (flags.isSet("listen-bess")) {
            bess = ListenUrl.parseUnixpacket("listen-bess", flags.value("listen-bess"));
            if (Files.exists(bess.socketPath(), LinkOption.NOFOLLOW_LINKS)) {
                throw FlagException.invalid("-listen-bess " + bess.text() + ": " + bess.socketPath()
                        + " already exists (remove it, or is another daemon using it?)");
            }
        }
        ListenUrl vfkit = null;
        if (flags.isSet("listen-vfkit")) {
            vfkit = ListenUrl.parseUnixgram("listen-vfkit", flags.value("listen-vfkit"));
            if (Files.exists(vfkit.socketPath(), LinkOption.NOFOLLOW_LINKS)) {
                throw FlagException.invalid("-listen-vfkit " + vfkit.text() + ": " + vfkit.socketPath()
                        + " already exists (remove it, or is another daemon using it?)");
            }
        }
        ListenUrl vpnkit = null;
        if (flags.isSet("listen-vpnkit")) {
            vpnkit = ListenUrl.parse("listen-vpnkit", flags.value("listen-vpnkit"));
            if (vpnkit.socketPath() != null && Files.exists(vpnkit.socketPath(), LinkOption.NOFOLLOW_LINKS)) {
                throw FlagException.invalid("-listen-vpnkit " + vpnkit.text() + ": " + vpnkit.socketPath()
                        + " already exists (remove it, or is another daemon using it?)");
            }
        }
        // gvproxy refuses qemu+vpnkit, bess+vpnkit and qemu+bess together: its /connect framing follows the
        // transport. Ours is always hyperkit's and every transport is a port on one switch, so any mix serves.
        // As gvproxy: any value turns it on ("accept" by convention); an empty one means not given.
        String stdio = flags.isSet("listen-stdio") && !flags.value("listen-stdio").isEmpty()
                ? flags.value("listen-stdio") : null;
        List<TapFlag> taps = new ArrayList<>();
        for (String value : flags.all("listen-tap")) {
            taps.add(TapFlag.parse(value));
        }
        List<ForwardFlag> forwards = ForwardFlag.parse(flags.all("forward-sock"), flags.all("forward-dest"),
                flags.all("forward-user"), flags.all("forward-identity"));
        if (flags.isSet("exec") && flags.value("exec").isBlank()) {
            throw FlagException.invalid("-exec needs a command, as in -exec \"lb\"");
        }
        if (flags.isSet("pid") && !flags.isSet("exec")) {
            throw FlagException.invalid("-pid only goes with -exec");
        }
        Path pcap = path(flags, "pcap");
        if (pcap != null && !Files.isDirectory(pcap.getParent())) {
            throw FlagException.invalid("-pcap " + flags.value("pcap") + ": directory " + pcap.getParent()
                    + " does not exist");
        }
        ListenUrl notification = flags.isSet("notification") && !flags.value("notification").isEmpty()
                ? ListenUrl.parseUnix("notification", flags.value("notification")) : null;
        return new DaemonOptions(List.copyOf(listen), services, qemu, bess, vfkit, List.copyOf(taps), vpnkit, stdio, NetworkFlags.properties(flags), flags.bool("debug"),
                config,
                path(flags, "pid-file"), path(flags, "log-file"), flags.bool("version"), flags.bool("shell"),
                flags.isSet("exec") ? flags.value("exec") : null, path(flags, "state-dir"), path(flags, "control"),
                flags.integer("pid"), sshPort, pcap, notification, forwards);
    }

    /**
     * The properties for {@value io.tapvsock.api.NetworkSettings#FLAGS_PID}: the network flags over the -config
     * file's network fields that have no flag.
     */
    Map<String, String> networkProperties() {
        return config == null ? networkFlags : config.networkOver(networkFlags);
    }

    private static Path path(Flags.Parsed flags, String name) {
        if (!flags.isSet(name)) {
            return null;
        }
        String value = flags.value(name);
        // gvproxy treats an empty path as "not given"; so do we.
        return value.isEmpty() ? null : Path.of(value).toAbsolutePath();
    }
}
