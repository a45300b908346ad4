package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonOptionsTest {

    @TempDir
    Path dir;

    private static DaemonOptions parse(String... args) throws Exception {
        return DaemonOptions.parse("gvproxy", List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args)).getMessage();
    }

    @Test
    void podman_command_line() throws Exception {
        DaemonOptions options = parse("-listen", "unix:///tmp/podman/api.sock", "-debug", "-mtu", "1500",
                "-ssh-port", "-1", "-listen-qemu", "unix://" + dir.resolve("q.sock"), "-pid-file",
                dir.resolve("gv.pid").toString(), "-log-file", dir.resolve("gv.log").toString());
        assertEquals(List.of("unix:///tmp/podman/api.sock"), options.listen().stream().map(ListenUrl::text).toList());
        assertEquals(dir.resolve("q.sock"), options.listenQemu().socketPath());
        assertTrue(options.debug());
        assertEquals(Map.of("mtu", "1500"), options.networkFlags());
        assertEquals(dir.resolve("gv.pid"), options.pidFile());
        assertEquals(dir.resolve("gv.log"), options.logFile());
        assertFalse(options.shell());
        assertNull(options.exec());
    }

    @Test
    void double_dashes_and_boolean_values_as_other_scripts_write_them() throws Exception {
        DaemonOptions options = parse("--mtu", "9000", "--debug=0", "--listen=tcp://127.0.0.1:7777", "--shell");
        assertEquals(Map.of("mtu", "9000"), options.networkFlags());
        assertFalse(options.debug());
        assertTrue(options.shell());
        assertEquals("tcp://127.0.0.1:7777", options.listen().getFirst().text());
    }

    @Test
    void only_the_network_flags_given_are_mapped() throws Exception {
        assertEquals(Map.of(), parse("-listen", "unix:///tmp/a.sock").networkFlags());
        assertEquals(Map.of("subnet", "10.0.0.0/24", "gatewayIP", "10.0.0.1", "deviceIP", "10.0.0.2",
                        "hostIP", "10.0.0.254", "mtu", "4000", "ec2MetadataAccess", "true"),
                parse("-subnet", "10.0.0.0/24", "-gatewayIP", "10.0.0.1", "-deviceIP=10.0.0.2", "--hostIP",
                        "10.0.0.254", "-mtu=4000", "-ec2-metadata-access").networkFlags());
    }

    @Test
    void repeated_listen_keeps_every_endpoint() throws Exception {
        assertEquals(2, parse("-listen", "unix:///tmp/a.sock", "-listen", "tcp://127.0.0.1:1234").listen().size());
    }

    @Test
    void services_isOneApiEndpoint_emptyIsNone_vsockRefused() throws Exception {
        assertEquals("unix:///tmp/s.sock", parse("-services", "unix:///tmp/s.sock").services().text());
        assertEquals(null, parse("-services=").services());
        assertEquals("-services vsock://:1024: vsock:// endpoints are not supported yet",
                error("-services", "vsock://:1024"));
    }

    @Test
    void a_missing_config_file_is_named() {
        assertEquals("-config /nonexistent/gvproxy.yaml: no such file", error("-config=/nonexistent/gvproxy.yaml"));
    }

    @Test
    void ssh_port_is_gvproxys_default_or_disabled_or_unprivileged() throws Exception {
        assertEquals(2222, parse().sshPort());
        assertEquals(-1, parse("-ssh-port=-1").sshPort());
        assertEquals(2223, parse("--ssh-port", "2223").sshPort());
        assertEquals("-ssh-port 22: not -1 (disabled) or 1024..65535", error("-ssh-port", "22"));
    }

    @Test
    void an_existing_qemu_socket_path_is_refused() throws Exception {
        Path existing = Files.createFile(dir.resolve("q.sock"));
        assertTrue(error("-listen-qemu", "unix://" + existing).contains("already exists"));
    }

    @Test
    void vsock_listen_endpoints_are_taken() throws Exception {
        DaemonOptions options = parse("-listen", "vsock://:1024", "-listen", "vsock://3:1025/connect");
        assertTrue(options.listen().get(0).isVsock());
        assertEquals("vsock://3:1025/connect", options.listen().get(1).text());
    }

    @Test
    void listener_urls_are_checked_and_name_the_flag() {
        assertEquals("-listen \"vsock://1024\" is not vsock://:PORT or vsock://CID:PORT", error("-listen", "vsock://1024"));
        assertEquals("-listen-qemu vsock://:1024: vsock:// endpoints are not supported yet",
                error("-listen-qemu", "vsock://:1024"));
        assertEquals("-listen \"unix://relative.sock\" has no absolute socket path (want unix:///path)",
                error("-listen", "unix://relative.sock"));
        assertEquals("-listen-qemu \"tcp://127.0.0.1\" has no port (want tcp://host:port)",
                error("-listen-qemu", "tcp://127.0.0.1"));
        assertEquals("-listen \"http://x\" is not unix:///path or tcp://host:port", error("-listen", "http://x"));
    }

    @Test
    void empty_paths_mean_not_given_as_in_gvproxy() throws Exception {
        assertNull(parse("-pid-file=", "-log-file", "").pidFile());
    }

    @Test
    void exec_and_its_target() throws Exception {
        DaemonOptions options = parse("-exec", "lb", "-pid", "42");
        assertEquals("lb", options.exec());
        assertEquals(42, options.pid());
        assertTrue(error("-exec", " ").startsWith("-exec needs a command"));
        assertEquals("-pid only goes with -exec", error("-pid", "42"));
    }

    @Test
    void syntax_errors_ask_for_usage_and_value_errors_do_not() {
        assertTrue(assertThrows(FlagException.class, () -> parse("-nope")).showUsage());
        assertFalse(assertThrows(FlagException.class, () -> parse("-ssh-port", "1")).showUsage());
    }

    @Test
    void version_and_help() throws Exception {
        assertTrue(parse("-version").version());
        assertThrows(Flags.HelpRequested.class, () -> parse("-help"));
    }

    @Test
    void listen_tap_becomes_factory_configuration_properties() throws Exception {
        DaemonOptions options = parse("-listen-tap", "netns=/var/run/netns/g1,iface=tap0,configure=false",
                "--listen-tap=netns=/var/run/netns/g2, mtu=65520 ,mac=02:00:00:00:00:07");
        assertEquals(2, options.listenTap().size());
        assertEquals(Map.of("netns", "/var/run/netns/g1", "iface", "tap0", "configure", "false"),
                options.listenTap().get(0).properties());
        assertEquals(Map.of("netns", "/var/run/netns/g2", "mtu", "65520", "mac", "02:00:00:00:00:07"),
                options.listenTap().get(1).properties());
        assertEquals(List.of(), parse("-listen", "unix:///tmp/a.sock").listenTap());
    }

    @Test
    void listen_tap_bad_values_name_the_flag() {
        assertEquals("-listen-tap netns=g1: netns \"g1\" is not an absolute path (e.g. /var/run/netns/NAME)",
                error("-listen-tap", "netns=g1"));
        assertEquals("-listen-tap iface=tap0,colour=red: unknown key \"colour\" (known: netns, iface, mac, mtu, "
                + "configure, offload)", error("-listen-tap", "iface=tap0,colour=red"));
        assertEquals("-listen-tap tap0: \"tap0\" is not key=value", error("-listen-tap", "tap0"));
        assertEquals("-listen-tap mtu=big: mtu \"big\" is not a number", error("-listen-tap", "mtu=big"));
        assertEquals("-listen-tap configure=yes: configure \"yes\" is not true or false",
                error("-listen-tap", "configure=yes"));
        assertEquals("-listen-tap offload=off: offload \"off\" is not true or false",
                error("-listen-tap", "offload=off"));
        assertEquals("-listen-tap iface=a,iface=b: \"iface\" given twice", error("-listen-tap", "iface=a,iface=b"));
    }
}
