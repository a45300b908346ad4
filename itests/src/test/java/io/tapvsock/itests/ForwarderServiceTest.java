package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static io.tapvsock.itests.harness.VirtualNet.HOST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Port forwarding with the whole daemon (issue 5): a namespace guest behind the qemu transport runs a server on
 * GUEST_IP:8080 that greets each client with the address it sees. The API exposes it on the host's loopback, the
 * guest exposes itself through the in-VM API on the gateway's port 80, unexpose refuses new connections, and
 * -ssh-port is a static forward listed like the others.
 */
class ForwarderServiceTest {

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void exposeFromTheApiAndFromInsideTheVm_unexpose_sshPort() throws Exception {
        Path home = Require.dist();
        int sshPort = freePort();
        Daemon daemon = harness.daemon(home, List.of("-mtu", "1500", "-ssh-port", Integer.toString(sshPort)));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        Proc.Result server = guest.sh(Duration.ofSeconds(10), """
                nohup python3 -c '
                import socket, threading
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(("0.0.0.0", 8080))
                s.listen(8)
                def serve(c, peer):
                    c.sendall((peer[0] + "\\n").encode())
                    while True:
                        d = c.recv(65536)
                        if not d:
                            break
                        c.sendall(d)
                    c.close()
                while True:
                    c, peer = s.accept()
                    threading.Thread(target=serve, args=(c, peer)).start()
                ' >/dev/null 2>&1 &
                sleep 1
                """);
        assertEquals(0, server.exit(), server.describe());
        ApiClient api = daemon.api();

        int port = freePort();
        ApiClient.Response exposed = api.request("POST", "/services/forwarder/expose",
                "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + GUEST_IP + ":8080\"}");
        assertEquals(200, exposed.status(), exposed.body());
        assertEquals(HOST_IP + " hello", greetAndEcho(port, "hello"), "a loopback client shows as the host IP");
        ApiClient.Response again = api.request("POST", "/services/forwarder/expose",
                "{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + GUEST_IP + ":8080\"}");
        assertEquals(500, again.status());
        assertTrue(again.body().contains("proxy already running"), again.body());

        int inVmPort = freePort();
        Proc.Result inVm = guest.sh(Duration.ofSeconds(30), "python3 -c '"
                + "import urllib.request\n"
                + "print(urllib.request.urlopen(\"http://192.168.127.1/services/forwarder/expose\", "
                + "b\"{\\\"local\\\":\\\"127.0.0.1:" + inVmPort + "\\\",\\\"remote\\\":\\\":8080\\\"}\\n\", 10).status)'");
        assertEquals("200", inVm.stdout().trim(), inVm.describe());
        assertEquals(HOST_IP + " from-the-vm", greetAndEcho(inVmPort, "from-the-vm"));

        String all = api.get("/services/forwarder/all").body();
        String expected = "[{\"local\":\"127.0.0.1:" + port + "\",\"remote\":\"" + GUEST_IP + ":8080\",\"protocol\":\"tcp\"},"
                + "{\"local\":\"127.0.0.1:" + sshPort + "\",\"remote\":\"" + GUEST_IP + ":22\",\"protocol\":\"tcp\"},"
                + "{\"local\":\"127.0.0.1:" + inVmPort + "\",\"remote\":\"" + GUEST_IP + ":8080\",\"protocol\":\"tcp\"}]";
        assertEquals(sortedByLocal(expected), all.trim(), "sorted by local");
        assertTrue(daemon.exec("tapvsock:forwards").contains("127.0.0.1:" + sshPort), "the shell lists -ssh-port");

        ApiClient.Response unexposed = api.request("POST", "/services/forwarder/unexpose",
                "{\"local\":\"127.0.0.1:" + port + "\",\"protocol\":\"tcp\"}");
        assertEquals(200, unexposed.status(), unexposed.body());
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close());
        assertEquals(0, api.getJson("/stats").path("service-forwarder").path("refused").asInt(),
                "no guest refused a connection");
    }

    /** The entries sorted by local as text, as gvproxy sorts them (each entry starts with its local). */
    private static String sortedByLocal(String json) {
        String body = json.trim();
        List<String> entries = List.of(body.substring(2, body.length() - 2).split("\\},\\{"));
        return "[{" + String.join("},{", entries.stream().sorted().toList()) + "}]";
    }

    /** Connects to 127.0.0.1:port, reads the greeting (the address the guest sees), sends a line, reads its echo. */
    private static String greetAndEcho(int port, String line) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8));
            String seen = in.readLine();
            OutputStream out = socket.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return seen + " " + in.readLine();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
