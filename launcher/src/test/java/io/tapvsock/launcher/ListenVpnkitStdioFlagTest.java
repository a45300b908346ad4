package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** gvproxy's {@code -listen-vpnkit URL} and {@code -listen-stdio accept}, and the framings that exclude each other. */
class ListenVpnkitStdioFlagTest extends ListenFlagFixture {

    @Test
    void vpnkit_takesUnixAndTcpUrls() throws Exception {
        String url = "unix://" + dir.resolve("vpnkit.sock");
        DaemonOptions options = parse("-listen-vpnkit", url, "-ssh-port", "-1");
        assertEquals(url, options.listenVpnkit().text());
        assertEquals(dir.resolve("vpnkit.sock"), options.listenVpnkit().socketPath());
        assertEquals("tcp://127.0.0.1:0", parse("--listen-vpnkit=tcp://127.0.0.1:0").listenVpnkit().text());
        assertNull(parse("-ssh-port", "-1").listenVpnkit());
    }

    @Test
    void vpnkit_refusesBadUrlsAndExistingPaths() throws Exception {
        assertEquals("-listen-vpnkit \"udp://x\" is not unix:///path or tcp://host:port",
                error("-listen-vpnkit", "udp://x"));
        assertExistingPathRefused("-listen-vpnkit", "unix");
    }

    @Test
    void stdio_anyValueTurnsItOn_emptyMeansNotGiven() throws Exception {
        assertEquals("accept", parse("-listen-stdio", "accept").listenStdio());
        assertEquals("accept", parse("-listen-stdio=accept", "-ssh-port=-1", "-debug=0").listenStdio());
        assertNull(parse("-listen-stdio=").listenStdio());
        assertNull(parse().listenStdio());
    }

    @Test
    void everyTransportMayGoWithEveryOther_unlikeGvproxy() throws Exception {
        DaemonOptions options = parse("-listen-vpnkit", "unix://" + dir.resolve("v.sock"),
                "-listen-qemu", "unix://" + dir.resolve("q.sock"), "-listen-bess", "unixpacket://" + dir.resolve("b.sock"));
        assertEquals("unix://" + dir.resolve("v.sock"), options.listenVpnkit().text());
        assertEquals("unix://" + dir.resolve("q.sock"), options.listenQemu().text());
        assertEquals("unixpacket://" + dir.resolve("b.sock"), options.listenBess().text());
    }

    @Test
    void vpnkitAndStdio_mayGoTogether() throws Exception {
        DaemonOptions options = parse("-listen-vpnkit", "unix://" + dir.resolve("v.sock"), "-listen-stdio", "accept");
        assertEquals("accept", options.listenStdio());
    }
}
