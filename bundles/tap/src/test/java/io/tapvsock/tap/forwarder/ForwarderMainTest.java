package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Command lines the forwarder refuses or answers without touching any device: exit status and message. */
class ForwarderMainTest {

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private int run(String... args) {
        return ForwarderMain.run(args, err);
    }

    private String err() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void help_printsUsage_exit0() {
        for (String help : List.of("-h", "-help", "--help", "--h")) {
            errBytes.reset();
            assertEquals(0, run(help), help);
            assertTrue(err().startsWith("Usage of tapvsock-forwarder:\n"), err());
            assertTrue(err().contains("  -url string\n    \turl where the tap send packets (default "
                    + "\"vsock://2:1024/connect\")\n"), err());
            assertTrue(err().contains("  -mtu int\n    \tmtu (default 4000)\n"), err());
        }
    }

    @Test
    void unknownFlag_goMessagePlusUsage_exit2() {
        assertEquals(2, run("-x"));
        assertTrue(err().startsWith("flag provided but not defined: -x\nUsage of tapvsock-forwarder:\n"), err());
    }

    @Test
    void badValues_exit2_namingTheFlag() {
        assertEquals(2, run("-mtu", "big"));
        assertTrue(err().startsWith("invalid value \"big\" for flag -mtu: parse error\n"), err());
        errBytes.reset();
        assertEquals(2, run("-url", "qemu+unix:///tmp/x.sock", "-mtu", "10"));
        assertTrue(err().contains("for flag -mtu"), err());
        errBytes.reset();
        assertEquals(2, run("-url", "qemu+unix:///tmp/x.sock", "-mac", "zz:zz"));
        assertTrue(err().contains("invalid value \"zz:zz\" for flag -mac"), err());
        errBytes.reset();
        assertEquals(2, run("-url", "qemu+unix:///tmp/x.sock", "-iface", "a-name-too-long-for-linux"));
        assertTrue(err().contains("for flag -iface"), err());
        errBytes.reset();
        assertEquals(2, run("-debug=maybe"));
        assertTrue(err().startsWith("invalid boolean value \"maybe\" for -debug: parse error\n"), err());
    }

    @Test
    void badUrls_exit2_namingTheFlagAndTheUrl() {
        for (String url : List.of("vsock://2", "vsock://x:1024/connect", "vsock://2:4294967296/connect",
                "vsock://-1:1024", "vsock:2:1024", "vsock://2:1024/con nect", "unix://relative.sock", "unix:",
                "stdio:", "stdio:relative/prog", "stdio:/usr/bin/x?a=%zz", "stdio:/usr/bin/x?a=1;b=2",
                "tcp://127.0.0.1", "tcp://127.0.0.1:5/x", "ftp://host/x", "/run/x.sock", "")) {
            errBytes.reset();
            assertEquals(2, run("-url", url), url);
            assertTrue(err().startsWith("tapvsock-forwarder: invalid value \"" + url + "\" for flag -url: "), err());
        }
    }

    @Test
    void stopIfExist_anExistingInterface_exits0WithoutDoingAnything() {
        // lo exists in every namespace; nothing is opened or connected (the URL's socket does not exist).
        assertEquals(0, run("-url", "unix:///nonexistent/x.sock", "-stop-if-exist", "ignore,lo"));
        assertTrue(err().contains("interface lo prevented this program to run"), err());
    }

    @Test
    void stopInterfaces_splitAtCommasLikeGvforwarder() throws Exception {
        assertEquals(List.of("ignore"), ForwarderOptions.parse("-stop-if-exist", "ignore").stopInterfaces());
        assertEquals(List.of("eth0", " ens3"),
                ForwarderOptions.parse("-stop-if-exist", "eth0,, ens3").stopInterfaces());
        assertEquals(List.of(), ForwarderOptions.parse("-stop-if-exist", "").stopInterfaces());
    }

    @Test
    void unixUrl_isGvforwardersPostConnectWithHyperkitFraming() {
        Endpoint endpoint = Endpoint.parse("unix:///run/gvproxy.sock");
        assertEquals(new SocketEndpoint("unix:///run/gvproxy.sock",
                java.net.UnixDomainSocketAddress.of("/run/gvproxy.sock"), null, 0, false), endpoint);
        assertEquals(Framing.HYPERKIT, endpoint.framing());
        assertFalse(endpoint.offersVnet());
        assertEquals(Framing.QEMU, Endpoint.parse("qemu+unix:///run/q.sock").framing());
        assertTrue(Endpoint.parse("qemu+unix:///run/q.sock").offersVnet());
        assertEquals("/run/gvproxy.sock",
                ((SocketEndpoint) Endpoint.parse("unix:/run/gvproxy.sock")).unix().getPath().toString());
        assertEquals(2, run("-url", "unix://relative.sock"));
        assertTrue(err().contains("absolute socket path"), err());
    }

    @Test
    void options_parsedWithGvforwarderDefaults() throws Exception {
        ForwarderOptions options = ForwarderOptions.parse();
        assertEquals("vsock://2:1024/connect", options.url());
        assertEquals("tap0", options.iface());
        assertEquals("5a:94:ef:e4:0c:ee", options.mac());
        assertEquals(4000, options.mtu());
        assertEquals(List.of("eth0", "ens3", "enp0s1"), options.stopInterfaces());
        assertFalse(options.preexisting() || options.debug());
        assertTrue(options.dhcp() && options.runsDhcp() && options.offload(), "gvforwarder always runs DHCP");
        assertFalse(ForwarderOptions.parse("-preexisting").runsDhcp(), "but not on a preexisting TAP");
        assertFalse(ForwarderOptions.parse("-dhcp=false").runsDhcp());

        options = ForwarderOptions.parse("--url=qemu+tcp://127.0.0.1:5000", "-iface", "podman-usermode",
                "-stop-if-exist", "ignore", "-mtu=1500", "-debug=1", "--dhcp", "-preexisting=false");
        assertEquals("qemu+tcp://127.0.0.1:5000", options.url());
        assertEquals("podman-usermode", options.iface());
        assertEquals(List.of("ignore"), options.stopInterfaces());
        assertEquals(1500, options.mtu());
        assertTrue(options.debug() && options.dhcp());
        assertFalse(options.preexisting());
    }

    @Test
    void tapConfig_configuresUnlessPreexisting() throws Exception {
        var config = ForwarderOptions.parse("-mtu", "1500").tapConfig(false);
        assertEquals(1500, config.mtu().getAsInt());
        assertTrue(config.up() && config.mac().isPresent() && !config.preexisting());
        assertFalse(config.offload(), "no vnet mode where the endpoint does not offer it");
        assertTrue(ForwarderOptions.parse().tapConfig(true).offload());
        assertFalse(ForwarderOptions.parse("-offload=false").tapConfig(true).offload());
        config = ForwarderOptions.parse("-preexisting", "-iface", "tap7").tapConfig(false);
        assertTrue(config.preexisting());
        assertEquals("tap7", config.name());
        assertFalse(config.up() || config.mac().isPresent() || config.mtu().isPresent());
        assertEquals(4000, ForwarderOptions.parse().tapConfig(false).mtu().getAsInt());
    }

    @Test
    void mac_goForms_andEmptyKeepsTheKernels() throws Exception {
        byte[] expected = io.tapvsock.tap.TapConfig.parseMac("5a:94:ef:e4:0c:ee");
        for (String form : List.of("5a:94:ef:e4:0c:ee", "5A-94-EF-E4-0C-EE", "5a94.efe4.0cee")) {
            assertArrayEquals(expected, ForwarderOptions.parse("-mac", form).tapConfig(false).mac().orElseThrow(),
                    form);
        }
        var config = ForwarderOptions.parse("-mac", "").tapConfig(false);
        assertTrue(config.mac().isEmpty() && config.up());
        for (String bad : List.of("5a94.efe4", "5a94.efe4.0cez", "5a:94:ef:e4:0c")) {
            errBytes.reset();
            assertEquals(2, run("-mac", bad), bad);
            assertTrue(err().contains("invalid value \"" + bad + "\" for flag -mac"), err());
        }
    }

    @Test
    void endpoint_parsesQemuForms() {
        SocketEndpoint unix = (SocketEndpoint) Endpoint.parse("qemu+unix:///run/tapvsock/qemu.sock");
        assertEquals("/run/tapvsock/qemu.sock", unix.unix().getPath().toString());
        SocketEndpoint tcp = (SocketEndpoint) Endpoint.parse("qemu+tcp://127.0.0.1:1234");
        assertEquals("127.0.0.1", tcp.host());
        assertEquals(1234, tcp.port());
        assertTrue(tcp.qemu());
        assertEquals("::1", ((SocketEndpoint) Endpoint.parse("qemu+tcp://[::1]:80")).host());
        for (String bad : List.of("qemu+unix://relative.sock", "qemu+unix://", "qemu+tcp://host",
                "qemu+tcp://127.0.0.1:0", "qemu+tcp://127.0.0.1:70000", "qemu+tcp://127.0.0.1:5/x", "")) {
            assertThrows(IllegalArgumentException.class, () -> Endpoint.parse(bad), bad);
        }
    }

    @Test
    void dhcpCommand_prefersUdhcpcThenBusyboxThenDhclient() {
        assertEquals(List.of("udhcpc", "-f", "-q", "-i", "tap0"),
                DhcpClient.command("tap0", name -> true).orElseThrow());
        assertEquals(List.of("busybox", "udhcpc", "-f", "-q", "-i", "tap0"),
                DhcpClient.command("tap0", name -> !name.equals("udhcpc")).orElseThrow());
        assertEquals(List.of("dhclient", "-4", "-d", "-v", "tap0"),
                DhcpClient.command("tap0", name -> name.equals("dhclient")).orElseThrow());
        assertTrue(DhcpClient.command("tap0", name -> false).isEmpty());
    }

    @Test
    void frameSummary_namesAddressesAndType() {
        var frame = java.nio.ByteBuffer.allocate(64);
        frame.put(4, new byte[] {-1, -1, -1, -1, -1, -1, 0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c,
            (byte) 0xee, 0x08, 0x06});
        assertEquals("42 bytes 5a:94:ef:e4:0c:ee > ff:ff:ff:ff:ff:ff ARP", FrameSummary.describe(frame, 4, 42));
        assertEquals("10 bytes (runt)", FrameSummary.describe(frame, 4, 10));
    }
}
