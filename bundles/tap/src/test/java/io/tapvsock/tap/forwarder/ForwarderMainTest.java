package io.tapvsock.tap.forwarder;

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
    void gvforwardersOwnUrlForms_refusedForNow_exit2() {
        for (String url : List.of("vsock://2:1024/connect", "stdio:/usr/bin/gvproxy?listen-stdio=accept")) {
            errBytes.reset();
            assertEquals(2, run("-url", url), url);
            assertTrue(err().contains("\"" + url + "\" for flag -url"), err());
            assertTrue(err().contains("not supported yet"), err());
        }
        errBytes.reset();
        assertEquals(2, run()); // the default URL is vsock://2:1024/connect
        assertTrue(err().contains("vsock://2:1024/connect"), err());
    }

    @Test
    void unixUrl_isGvforwardersPostConnectWithHyperkitFraming() {
        QemuEndpoint endpoint = QemuEndpoint.parse("unix:///run/gvproxy.sock");
        assertTrue(endpoint.postConnect());
        assertEquals(2, endpoint.prefixLength());
        assertEquals(4, QemuEndpoint.parse("qemu+unix:///run/q.sock").prefixLength());
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
        assertFalse(options.preexisting() || options.debug() || options.dhcp());

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
        var config = ForwarderOptions.parse("-mtu", "1500").tapConfig();
        assertEquals(1500, config.mtu().getAsInt());
        assertTrue(config.up() && config.mac().isPresent() && !config.preexisting());
        config = ForwarderOptions.parse("-preexisting", "-iface", "tap7").tapConfig();
        assertTrue(config.preexisting());
        assertEquals("tap7", config.name());
        assertFalse(config.up() || config.mac().isPresent() || config.mtu().isPresent());
    }

    @Test
    void endpoint_parsesQemuForms() {
        QemuEndpoint unix = QemuEndpoint.parse("qemu+unix:///run/tapvsock/qemu.sock");
        assertEquals("/run/tapvsock/qemu.sock", unix.unix().getPath().toString());
        QemuEndpoint tcp = QemuEndpoint.parse("qemu+tcp://127.0.0.1:1234");
        assertEquals("127.0.0.1", tcp.host());
        assertEquals(1234, tcp.port());
        assertEquals("::1", QemuEndpoint.parse("qemu+tcp://[::1]:80").host());
        for (String bad : List.of("qemu+unix://relative.sock", "qemu+unix://", "qemu+tcp://host",
                "qemu+tcp://127.0.0.1:0", "qemu+tcp://127.0.0.1:70000", "qemu+tcp://127.0.0.1:5/x",
                "tcp://127.0.0.1:5", "")) {
            assertThrows(IllegalArgumentException.class, () -> QemuEndpoint.parse(bad), bad);
        }
    }

    @Test
    void dhcpCommand_prefersUdhcpcThenBusyboxThenDhclient() {
        assertEquals(List.of("udhcpc", "-f", "-q", "-n", "-i", "tap0"),
                DhcpClient.command("tap0", name -> true).orElseThrow());
        assertEquals(List.of("busybox", "udhcpc", "-f", "-q", "-n", "-i", "tap0"),
                DhcpClient.command("tap0", name -> !name.equals("udhcpc")).orElseThrow());
        assertEquals(List.of("dhclient", "-1", "tap0"),
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
