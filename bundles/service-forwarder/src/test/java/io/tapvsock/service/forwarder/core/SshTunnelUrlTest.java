package io.tapvsock.service.forwarder.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** ssh-tunnel:// remotes as gvproxy's unix expose takes them, and each way one can be wrong. */
class SshTunnelUrlTest {

    @Test
    void userIpPathKey_portDefaultsTo22() throws ForwardException {
        SshTunnelUrl url = SshTunnelUrl.parse("ssh-tunnel://core@192.168.127.2/run/user/1000/podman/podman.sock"
                + "?key=/home/me/.ssh/podman");
        assertEquals(new SshTunnelUrl("core", new InetSocketAddress("192.168.127.2", 22),
                "/run/user/1000/podman/podman.sock", Path.of("/home/me/.ssh/podman")), url);
    }

    @Test
    void explicitPort_escapes_firstKeyWins_otherParametersIgnored() throws ForwardException {
        SshTunnelUrl url = SshTunnelUrl.parse("ssh-tunnel://root@10.0.0.5:2222/var/run/a%20b.sock"
                + "?secure=false&key=/keys/id%20one&key=/other");
        assertEquals("root", url.user());
        assertEquals(new InetSocketAddress("10.0.0.5", 2222), url.sshd());
        assertEquals("/var/run/a b.sock", url.socket());
        assertEquals(Path.of("/keys/id one"), url.key());
    }

    @Test
    void onlySshTunnelRemotesAreTunnels() {
        assertTrue(SshTunnelUrl.isSshTunnel("ssh-tunnel://core@192.168.127.2/s?key=/k"));
        assertFalse(SshTunnelUrl.isSshTunnel("tcp://192.168.127.2:22"));
        assertFalse(SshTunnelUrl.isSshTunnel("ssh://core@192.168.127.2/s?key=/k"));
    }

    @Test
    void badRemotes_nameTheProblem() {
        assertRefused("key not provided for unix-ssh connection", "ssh-tunnel://core@192.168.127.2/s");
        assertRefused("key not provided for unix-ssh connection", "ssh-tunnel://core@192.168.127.2/s?key=");
        assertRefused("remote uri must contain a path to a socket file", "ssh-tunnel://core@192.168.127.2?key=/k");
        assertRefused("remote uri must contain a path to a socket file", "ssh-tunnel://core@192.168.127.2/?key=/k");
        assertRefused("remote uri must name the SSH user: ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile",
                "ssh-tunnel://192.168.127.2/s?key=/k");
        assertRefused("remote uri must name the SSH user: ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile",
                "ssh-tunnel://@192.168.127.2/s?key=/k");
        assertRefused("remote uri: SSH password authentication is not supported, give key=",
                "ssh-tunnel://core:secret@192.168.127.2/s?key=/k");
        assertRefused("remote uri: keys with a passphrase are not supported",
                "ssh-tunnel://core@192.168.127.2/s?key=/k&passphrase=x");
        assertRefused("remote uri: key id_rsa is not an absolute path", "ssh-tunnel://core@192.168.127.2/s?key=id_rsa");
        assertRefused("invalid remote addr: port 0", "ssh-tunnel://core@192.168.127.2:0/s?key=/k");
        assertRefused("invalid remote addr: invalid port \"70000\"", "ssh-tunnel://core@192.168.127.2:70000/s?key=/k");
        assertRefused("invalid remote addr: invalid port \"x\"", "ssh-tunnel://core@192.168.127.2:x/s?key=/k");
        assertTrue(refusal("ssh-tunnel://core@guest.local/s?key=/k").startsWith("invalid remote addr: "));
        assertTrue(refusal("ssh-tunnel://core@[::1]:22/s?key=/k").startsWith("invalid remote addr"));
        assertRefused("remote ssh-tunnel:/s?key=/k is not ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile",
                "ssh-tunnel:/s?key=/k");
        assertTrue(refusal("ssh-tunnel://core@192.168.127.2/a b?key=/k")
                .startsWith("failed to parse remote uri :ssh-tunnel://core@192.168.127.2/a b?key=/k : "));
    }

    private static void assertRefused(String reason, String remote) {
        assertEquals(reason, refusal(remote), remote);
    }

    private static String refusal(String remote) {
        return assertThrows(ForwardException.class, () -> SshTunnelUrl.parse(remote), remote).getMessage();
    }
}
