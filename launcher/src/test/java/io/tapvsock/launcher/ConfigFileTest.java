package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every field of gvproxy's YAML and what it becomes: flag values, network keys, service properties, errors. */
class ConfigFileTest {

    private static final Path FILE = Path.of("/etc/gvproxy.yaml");

    @TempDir
    Path dir;

    private static ConfigFile parse(String yaml) throws FlagException {
        return ConfigFile.parse(FILE, yaml);
    }

    private static String error(String yaml) {
        return assertThrows(FlagException.class, () -> parse(yaml)).getMessage();
    }

    static String upstreamExample() throws IOException {
        try (InputStream in = ConfigFileTest.class.getResourceAsStream("upstream-config.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void upstream_example_maps_every_stack_field() throws Exception {
        ConfigFile config = parse(upstreamExample());
        assertEquals(Map.of("mtu", List.of("1500"), "subnet", List.of("192.168.127.0/24"),
                "gatewayIP", List.of("192.168.127.1"), "deviceIP", List.of("192.168.127.2"),
                "hostIP", List.of("192.168.127.254")), config.flagValues());
        assertEquals(Map.of("gatewayMacAddress", "5a:94:ef:e4:0c:dd", "nat", "192.168.127.254=127.0.0.1",
                "gatewayVirtualIPs", "192.168.127.254"), config.network());
        assertEquals("[{\"Name\":\"containers.internal.\",\"Records\":[{\"IP\":\"192.168.127.1\",\"Name\":\"gateway\"},"
                + "{\"IP\":\"192.168.127.254\",\"Name\":\"host\"}],\"DefaultIP\":\"\"},"
                + "{\"Name\":\"docker.internal.\",\"Records\":[{\"IP\":\"192.168.127.1\",\"Name\":\"gateway\"},"
                + "{\"IP\":\"192.168.127.254\",\"Name\":\"host\"}],\"DefaultIP\":\"\"}]", config.zonesJson());
        assertEquals("{\"127.0.0.1:2222\":\"192.168.127.2:22\"}", config.forwardsJson());
        assertEquals(List.of("192.168.127.2=5a:94:ef:e4:0c:ee"), config.staticLeases());
        assertEquals(List.of("c3d68012-0208-11ea-9fd7-f2189899ab08=5a:94:ef:e4:0c:ee"), config.uuidMacs());
        assertEquals(Level.INFO, config.logLevel());
        assertNull(config.searchDomains());
        assertEquals("stack.mtu", config.origins().get("mtu"));
    }

    @Test
    void top_level_fields_become_flags() throws Exception {
        ConfigFile config = parse("""
                listen:
                  - unix:///tmp/a.sock
                  - tcp://127.0.0.1:7777
                log-file: /tmp/gv.log
                pid-file: /tmp/gv.pid
                services: unix:///tmp/services.sock
                notification: unix:///tmp/events.sock
                ec2-metadata-access: true
                interfaces:
                  vpnkit: unix:///tmp/vpnkit.sock
                  qemu: unix:///tmp/qemu.sock
                  bess: unixpacket:///tmp/bess.sock
                  stdio: accept
                  vfkit: unixgram:///tmp/vfkit.sock
                forwards:
                  - socket: /tmp/podman.sock
                    dest: /run/podman/podman.sock
                    user: 1000
                    identity: /tmp/id
                  - socket: /tmp/docker.sock
                    dest: /run/docker.sock
                    user: root
                    identity: /tmp/id2
                """);
        Map<String, List<String>> flags = config.flagValues();
        assertEquals(List.of("unix:///tmp/a.sock", "tcp://127.0.0.1:7777"), flags.get("listen"));
        assertEquals(List.of("/tmp/gv.log"), flags.get("log-file"));
        assertEquals(List.of("/tmp/gv.pid"), flags.get("pid-file"));
        assertEquals(List.of("unix:///tmp/services.sock"), flags.get("services"));
        assertEquals(List.of("unix:///tmp/events.sock"), flags.get("notification"));
        assertEquals(List.of("true"), flags.get("ec2-metadata-access"));
        assertEquals(List.of("unix:///tmp/vpnkit.sock"), flags.get("listen-vpnkit"));
        assertEquals(List.of("unix:///tmp/qemu.sock"), flags.get("listen-qemu"));
        assertEquals(List.of("unixpacket:///tmp/bess.sock"), flags.get("listen-bess"));
        assertEquals(List.of("accept"), flags.get("listen-stdio"));
        assertEquals(List.of("unixgram:///tmp/vfkit.sock"), flags.get("listen-vfkit"));
        assertEquals(List.of("/tmp/podman.sock", "/tmp/docker.sock"), flags.get("forward-sock"));
        assertEquals(List.of("/run/podman/podman.sock", "/run/docker.sock"), flags.get("forward-dest"));
        assertEquals(List.of("1000", "root"), flags.get("forward-user"), "a number is text in a string field");
        assertEquals(List.of("/tmp/id", "/tmp/id2"), flags.get("forward-identity"));
        assertEquals("interfaces.qemu", config.origins().get("listen-qemu"));
        assertNull(config.zonesJson());
        assertNull(config.staticLeases());
        assertNull(config.forwardsJson());
        assertNull(config.uuidMacs());
    }

    @Test
    void log_level_debug_is_the_debug_flag_and_others_a_level() throws Exception {
        assertEquals(List.of("true"), parse("log-level: debug").flagValues().get("debug"));
        assertEquals(List.of("true"), parse("log-level: TRACE").flagValues().get("debug"));
        assertNull(parse("log-level: debug").logLevel());
        assertEquals(Level.WARNING, parse("log-level: warning").logLevel());
        assertEquals(Level.SEVERE, parse("log-level: error").logLevel());
        assertNull(parse("log-level: error").flagValues().get("debug"));
        assertTrue(error("log-level: loud").startsWith("/etc/gvproxy.yaml: log-level: \"loud\" is not one of "));
    }

    @Test
    void stack_flags_debug_capture_and_ec2() throws Exception {
        ConfigFile config = parse("""
                stack:
                  debug: true
                  capture-file: /tmp/x.pcap
                  ec2MetadataAccess: true
                  dnsSearchDomains: [lab.internal, example.com.]
                """);
        assertEquals(List.of("true"), config.flagValues().get("debug"));
        assertEquals(List.of("/tmp/x.pcap"), config.flagValues().get("pcap"));
        assertEquals("stack.capture-file", config.origins().get("pcap"));
        assertEquals(List.of("true"), config.flagValues().get("ec2-metadata-access"));
        assertEquals(List.of("lab.internal", "example.com."), config.searchDomains());
        assertNull(parse("stack: {debug: false}").flagValues().get("debug"));
        // gvproxy has the key twice; either one turns access on.
        assertEquals(List.of("true"), parse("ec2-metadata-access: false\nstack: {ec2MetadataAccess: true}")
                .flagValues().get("ec2-metadata-access"));
        assertEquals(List.of("false"), parse("ec2-metadata-access: false").flagValues().get("ec2-metadata-access"));
    }

    @Test
    void dns_records_with_regexp_and_default_ip_and_udp_forwards() throws Exception {
        ConfigFile config = parse("""
                stack:
                  dns:
                    - name: lab.internal.
                      records:
                        - regexp: '^web-.*'
                          ip: 192.168.127.11
                      defaultIP: 192.168.127.12
                  forwards:
                    "udp:127.0.0.1:5353": 192.168.127.2:53
                    127.0.0.1:8080: 192.168.127.2:80
                    "unix:/tmp/guest.sock": tcp://192.168.127.2:2375
                """);
        assertEquals("[{\"Name\":\"lab.internal.\",\"Records\":[{\"IP\":\"192.168.127.11\",\"Regexp\":\"^web-.*\"}],"
                + "\"DefaultIP\":\"192.168.127.12\"}]", config.zonesJson());
        assertEquals("{\"udp:127.0.0.1:5353\":\"192.168.127.2:53\",\"127.0.0.1:8080\":\"192.168.127.2:80\","
                + "\"unix:/tmp/guest.sock\":\"tcp://192.168.127.2:2375\"}", config.forwardsJson());
        assertEquals("[]", parse("stack: {dns: []}").zonesJson());
    }

    @Test
    void mac_addresses_stay_text_not_base_60_numbers() throws Exception {
        // YAML 1.1 would read 10:11:11:11:11:00 as a sexagesimal integer; gvproxy's yaml.v3 reads text.
        ConfigFile config = parse("stack:\n  subnet: 10.0.0.0/16\n  gatewayMacAddress: 10:11:11:11:11:00\n"
                + "  dhcpStaticLeases:\n    10.0.0.2: 10:11:11:11:11:02\n");
        assertEquals("10:11:11:11:11:00", config.network().get("gatewayMacAddress"));
        assertEquals(List.of("10.0.0.2=10:11:11:11:11:02"), config.staticLeases());
    }

    @Test
    void empty_maps_and_lists_are_gvproxys_defaults() throws Exception {
        ConfigFile config = parse("stack:\n  nat: {}\n  gatewayVirtualIPs: []\n  mtu:\n");
        assertEquals(Map.of(), config.network());
        assertEquals(Map.of(), config.flagValues(), "a null value is unset");
        assertEquals(Map.of(), parse("").flagValues(), "an empty file is an empty configuration");
        assertEquals(Map.of(), parse("# only a comment\n").flagValues());
    }

    @Test
    void errors_name_the_field_path_and_line() {
        assertEquals("/etc/gvproxy.yaml: stack.mtu: not a number (line 2)", error("stack:\n  mtu: abc\n"));
        assertEquals("/etc/gvproxy.yaml: stack.mtu: 70000 is outside 68..65535 (line 2)", error("stack:\n  mtu: 70000\n"));
        assertTrue(error("stack:\n  mtuu: 1500\n").startsWith("/etc/gvproxy.yaml: stack.mtuu: unknown key (known here: debug,"));
        assertTrue(error("listn: []\n").startsWith("/etc/gvproxy.yaml: listn: unknown key"));
        assertEquals("/etc/gvproxy.yaml: listen: not a list (line 1)", error("listen: unix:///tmp/a.sock\n"));
        assertEquals("/etc/gvproxy.yaml: interfaces: not a mapping (key: value lines) (line 1)", error("interfaces: qemu\n"));
        assertEquals("/etc/gvproxy.yaml: interfaces.qemu: not text (line 2)", error("interfaces:\n  qemu: [a]\n"));
        assertEquals("/etc/gvproxy.yaml: stack.debug: not true or false (line 1)", error("stack: {debug: yes}"));
        assertEquals("/etc/gvproxy.yaml: stack.mtu: key given twice (line 3)", error("stack:\n  mtu: 1500\n  mtu: 1400\n"));
        assertEquals("/etc/gvproxy.yaml: stack.blockAllOutbound: not supported yet (line 2)",
                error("stack:\n  blockAllOutbound: true\n"));
        assertTrue(error("stack:\n  gatewayIP: 10.0.0.1\n").startsWith(
                "/etc/gvproxy.yaml: stack.gatewayIP: 10.0.0.1 is not a usable host address of 192.168.127.0/24"));
        assertTrue(error("stack:\n  dns:\n    - name: a.\n      records:\n        - name: x\n          ip: 300.1.1.1\n")
                .startsWith("/etc/gvproxy.yaml: stack.dns[0].records[0].ip: "), "bad record IP");
        assertTrue(error("stack:\n  dns:\n    - records: []\n").startsWith("/etc/gvproxy.yaml: stack.dns[0]: a zone needs a name"));
        assertTrue(error("stack:\n  dns:\n    - name: a.\n      records:\n        - {name: x}\n")
                .startsWith("/etc/gvproxy.yaml: stack.dns[0].records[0]: a record needs an ip"));
        assertTrue(error("stack:\n  dns:\n    - name: a.\n      records:\n        - {regexp: '(', ip: 1.2.3.4}\n")
                .startsWith("/etc/gvproxy.yaml: stack.dns[0].records[0].regexp: not a regular expression"));
        assertTrue(error("stack:\n  dns:\n    - name: a.\n      defaultIP: x\n").startsWith(
                "/etc/gvproxy.yaml: stack.dns[0].defaultIP: "));
        assertTrue(error("stack:\n  dhcpStaticLeases:\n    192.168.127.2: 5a:94\n").startsWith(
                "/etc/gvproxy.yaml: stack.dhcpStaticLeases.192.168.127.2: "));
        assertTrue(error("stack:\n  dhcpStaticLeases:\n    192.168.127: 5a:94:ef:e4:0c:ee\n").startsWith(
                "/etc/gvproxy.yaml: stack.dhcpStaticLeases.192.168.127: "));
        assertTrue(error("stack:\n  vpnKitUUIDMacAddresses:\n    not-a-uuid: 5a:94:ef:e4:0c:ee\n").startsWith(
                "/etc/gvproxy.yaml: stack.vpnKitUUIDMacAddresses.not-a-uuid: \"not-a-uuid\" is not a UUID"));
        assertTrue(error("stack:\n  dnsSearchDomains: ['bad domain']\n").startsWith(
                "/etc/gvproxy.yaml: stack.dnsSearchDomains[0]: \"bad domain\" is not a domain name"));
        assertTrue(error("stack:\n  forwards:\n    127.0.0.1: 192.168.127.2:22\n").startsWith(
                "/etc/gvproxy.yaml: stack.forwards.127.0.0.1: the local address \"127.0.0.1\" is not HOST:PORT"));
        assertTrue(error("stack:\n  forwards:\n    127.0.0.1:2222: 192.168.127.2:99999\n").startsWith(
                "/etc/gvproxy.yaml: stack.forwards.127.0.0.1:2222: the remote address"));
        assertTrue(error("stack:\n  nat:\n    192.168.127.254: localhost\n").startsWith("/etc/gvproxy.yaml: stack.nat: "));
        assertTrue(error("stack:\n  gatewayMacAddress: ff:ff:ff:ff:ff:ff\n").startsWith(
                "/etc/gvproxy.yaml: stack.gatewayMacAddress: "));
    }

    @Test
    void syntax_errors_give_the_line() {
        String message = error("stack:\n  mtu: 1500\n dns: [\n");
        assertTrue(message.startsWith("/etc/gvproxy.yaml: not valid YAML: "), message);
        assertTrue(message.matches(".*\\(line [34]\\)"), message);
        assertTrue(error("- a\n- b\n").startsWith("/etc/gvproxy.yaml: not a mapping"), "a list at the top");
    }

    @Test
    void no_object_is_ever_constructed_from_a_tag() {
        // A Java type tag is a string-typed node to the composer: it is neither constructed nor accepted.
        String message = error("listen: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n");
        assertTrue(message.startsWith("/etc/gvproxy.yaml: listen[0]: not text"), message);
    }

    @Test
    void an_unreadable_file_is_named() throws Exception {
        Path absent = dir.resolve("absent.yaml");
        assertEquals("-config " + absent + ": no such file",
                assertThrows(FlagException.class, () -> ConfigFile.read(absent)).getMessage());
        Path file = Files.writeString(dir.resolve("c.yaml"), "stack:\n  mtu: 9000\n");
        assertEquals(List.of("9000"), ConfigFile.read(file).flagValues().get("mtu"));
    }

    @Test
    void flags_override_the_file_and_forward_flags_add_to_it() throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), """
                listen: [unix:///tmp/from-file.sock]
                stack:
                  mtu: 9000
                  gatewayMacAddress: 5a:94:ef:e4:0c:aa
                """);
        DaemonOptions options = DaemonOptions.parse("gvproxy", List.of("-config", file.toString(), "-mtu", "4000"));
        assertEquals(Map.of("mtu", "4000"), options.networkFlags());
        assertEquals(Map.of("mtu", "4000", "gatewayMacAddress", "5a:94:ef:e4:0c:aa"), options.networkProperties());
        assertEquals(List.of("unix:///tmp/from-file.sock"), options.listen().stream().map(ListenUrl::text).toList());
        assertEquals(-1, options.sshPort(), "gvproxy opens no ssh forward with a configuration file");

        options = DaemonOptions.parse("gvproxy", List.of("-config=" + file, "-listen", "unix:///tmp/cli.sock",
                "-ssh-port", "2223"));
        assertEquals(List.of("unix:///tmp/cli.sock"), options.listen().stream().map(ListenUrl::text).toList());
        assertEquals(2223, options.sshPort());
        assertEquals(Map.of("mtu", "9000"), options.networkFlags());

        ConfigFile config = parse("forwards:\n  - {socket: /a, dest: /b, user: u, identity: /k}\n");
        Flags.Parsed given = DaemonOptions.grammar("gvproxy").parse(List.of("-forward-sock", "/c"));
        assertEquals(List.of("/a", "/c"), config.under(given).all("forward-sock"));
        assertTrue(!config.under(given).isSet("config"));
    }

    @Test
    void errors_from_flag_checks_name_the_field_they_came_from() throws Exception {
        Path file = Files.writeString(dir.resolve("c.yaml"), "interfaces:\n  bess: unix:///tmp/b.sock\n");
        String message = assertThrows(FlagException.class,
                () -> DaemonOptions.parse("gvproxy", List.of("-config", file.toString()))).getMessage();
        assertTrue(message.startsWith(file + ": interfaces.bess: -listen-bess "), message);

        Path services = Files.writeString(dir.resolve("s.yaml"), "services: vsock://:1024\n");
        message = assertThrows(FlagException.class,
                () -> DaemonOptions.parse("gvproxy", List.of("-config", services.toString()))).getMessage();
        assertTrue(message.startsWith(services + ": services: -services "), message);

        // The same check, on a value the command line gave, names the flag alone.
        message = assertThrows(FlagException.class, () -> DaemonOptions.parse("gvproxy",
                List.of("-config", file.toString(), "-listen-bess", "unix:///tmp/c.sock"))).getMessage();
        assertTrue(message.startsWith("-listen-bess "), message);
        assertEquals(2222, DaemonOptions.parse("gvproxy", List.of("-config=")).sshPort(), "an empty -config is none");
    }

    @Test
    void static_leases_are_checked_against_the_network_in_force() throws Exception {
        ConfigFile config = parse("stack:\n  dhcpStaticLeases:\n    192.168.127.9: 5a:94:ef:e4:0c:ee\n");
        config.checkStaticLeases(io.tapvsock.api.NetworkSettings.defaults());
        String message = assertThrows(FlagException.class, () -> config.checkStaticLeases(
                io.tapvsock.api.NetworkSettings.fromProperties(Map.of("subnet", "10.0.0.0/24")))).getMessage();
        assertEquals("/etc/gvproxy.yaml: stack.dhcpStaticLeases.192.168.127.9: not a guest address of 10.0.0.0/24 "
                + "(a usable one, not the gateway's or the host's)", message);
        assertThrows(FlagException.class, () -> parse("stack:\n  dhcpStaticLeases:\n    192.168.127.1: 5a:94:ef:e4:0c:ee\n")
                .checkStaticLeases(io.tapvsock.api.NetworkSettings.defaults()), "the gateway's address");
    }

    @Test
    void service_properties_take_the_file_over_config_dir_and_gvproxys_config_defaults() throws Exception {
        ConfigFile config = parse(upstreamExample());
        Map<String, Object> dhcp = ConfigFileProperties.dhcp(config, Map.of("leaseSeconds", "60"), "m1");
        assertArrayEquals(new String[] {"192.168.127.2=5a:94:ef:e4:0c:ee"}, (String[]) dhcp.get("staticLeases"));
        assertEquals("60", dhcp.get("leaseSeconds"), "config/ keeps the keys the file has no field for");
        assertEquals("m1", dhcp.get(ConfigFileProperties.MARKER));
        assertEquals(config.zonesJson(), ConfigFileProperties.dns(config, Map.of("zones", "[]"), "m1").get("zones"));
        assertEquals(Map.of("sshPort", -1, "forwards", "{\"127.0.0.1:2222\":\"192.168.127.2:22\"}",
                ConfigFileProperties.MARKER, "m1"), ConfigFileProperties.forwarderFlags(config, -1, "m1"));
        assertArrayEquals(new String[] {"c3d68012-0208-11ea-9fd7-f2189899ab08=5a:94:ef:e4:0c:ee"},
                (String[]) ConfigFileProperties.vpnkit(config, "unix:///v.sock").get("uuidMacs"));

        ConfigFile empty = parse("");
        assertArrayEquals(new String[0], (String[]) ConfigFileProperties.dhcp(empty, Map.of(), "m").get("staticLeases"),
                "no static lease: gvproxy adds the device's only without a configuration file");
        assertEquals("ip=mac", ConfigFileProperties.dhcp(empty, Map.of("staticLeases", "ip=mac"), "m")
                .get("staticLeases"), "config/'s value stays when the file has none");
        assertEquals("[]", ConfigFileProperties.dns(empty, Map.of(), "m").get("zones"));
        assertEquals("[{}]", ConfigFileProperties.dns(empty, Map.of("zones", "[{}]"), "m").get("zones"));
        assertEquals(Map.of("sshPort", 2222), ConfigFileProperties.forwarderFlags(null, 2222, "m"));
        assertEquals(Map.of("listen", "unix:///v.sock"), ConfigFileProperties.vpnkit(null, "unix:///v.sock"));
        assertArrayEquals(new String[0], (String[]) ConfigFileProperties.vpnkit(empty, "x").get("uuidMacs"));
    }
}
