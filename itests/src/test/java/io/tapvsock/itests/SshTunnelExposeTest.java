package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.ApiClient;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.GuestSocketServer;
import io.tapvsock.itests.harness.GuestSshd;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Require;
import io.tapvsock.itests.harness.UnixStreams;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's unix expose with an {@code ssh-tunnel://user@IP[:22]/path?key=/keyfile} remote (compat.md section 4)
 * against a real sshd in a namespace guest: each connection to the host socket becomes a direct-streamlocal
 * channel to a unix socket server in the guest ({@link GuestSocketServer}: /_ping answers OK, other streams are
 * echoed), over one SSH session per expose. Bad remotes and keys are refused at expose time with their reason.
 */
class SshTunnelExposeTest {

    private static final Duration SESSION_WAIT = Duration.ofSeconds(60);
    private static final int BIG = 1 << 20;

    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void exposeOverSsh_pingAndEchoBothWays_twoConnections_oneSession_unexposeClosesAll() throws Exception {
        Path home = Require.dist();
        GuestSshd sshd = GuestSshd.prepare(harness);
        Daemon daemon = harness.daemon(home, List.of());
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        Path guestSocket = harness.workDir().resolve("guest-api.sock");
        GuestSocketServer.start(guest.ns(), guestSocket);
        sshd.startIn(guest.ns());

        Path local = harness.workDir().resolve("tunnel.sock");
        String remote = "ssh-tunnel://root@" + GUEST_IP + guestSocket + "?key=" + sshd.identity();
        ApiClient api = daemon.api();
        ApiClient.Response exposed = expose(api, local, remote);
        assertEquals(200, exposed.status(), exposed.body());
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(local),
                "the socket is the daemon user's only, as -forward-sock's");
        assertEquals("[{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\",\"protocol\":\"unix\"}]",
                api.get("/services/forwarder/all").body().trim(), "the forward is listed exactly as given");
        assertEquals(500, expose(api, local, remote).status(), "the same local again is refused");

        assertEquals("OK", awaitPing(local), "GET /_ping through the tunnel");
        SocketChannel first = harness.register(UnixStreams.connect(local));
        try (SocketChannel second = UnixStreams.connect(local)) {
            assertEquals("one", echo(first, "one"));
            assertEquals("two", echo(second, "two"));
            assertEquals("three", echo(first, "three"));
            // A larger stream both ways at once, byte-exact: backpressure through the SSH windows.
            byte[] big = new byte[BIG];
            new Random(7).nextBytes(big);
            assertArrayEquals(big, UnixStreams.echo(second, big), "the stream echoed whole");
            assertEquals("four", echo(first, "four"), "the other connection still works");
            // The host's half-close reaches the guest after its data; the guest's comes back the same way.
            second.write(ByteBuffer.wrap("last".getBytes(StandardCharsets.US_ASCII)));
            second.shutdownOutput();
            assertEquals("last", new String(UnixStreams.readToEnd(second), StandardCharsets.US_ASCII),
                    "the last bytes, then EOF after the half-close");
        }

        JsonNode stats = api.getJson("/stats");
        JsonNode tunnels = stats.path("service-sshtunnel");
        assertEquals(1, tunnels.path("tunnels").asInt(), tunnels.toString());
        assertEquals(1, tunnels.path("sessionsUp").asInt(), tunnels.toString());
        assertEquals(1, tunnels.path("sessions").asInt(), "every connection over the one session: " + tunnels);
        assertTrue(tunnels.path("bytesToGuest").asLong() >= BIG, tunnels.toString());
        assertTrue(tunnels.path("connections").asInt() >= 3, tunnels.toString());

        ApiClient.Response unexposed = api.request("POST", "/services/forwarder/unexpose",
                "{\"local\":\"" + local + "\",\"protocol\":\"unix\"}");
        assertEquals(200, unexposed.status(), unexposed.body());
        assertEquals("[]", api.get("/services/forwarder/all").body().trim());
        assertThrows(IOException.class, () -> UnixStreams.connect(local).close(), "nothing listens any more");
        assertEquals(-1, CompletableFuture.supplyAsync(() -> read(first)).get(60, TimeUnit.SECONDS),
                "an open connection ends with its session");
        JsonNode after = api.getJson("/stats").path("service-sshtunnel");
        assertEquals(0, after.path("tunnels").asInt(), after.toString());
        assertEquals(0, after.path("sessionsUp").asInt(), after.toString());

        assertEquals(200, expose(api, local, remote).status(), "the same local can be exposed again");
        assertEquals("OK", awaitPing(local), "GET /_ping through a new session");
    }

    @Test
    void badRemotesAndKeys_refusedWithTheirReason_nothingListens_aGoodOneUnexposedUnused() throws Exception {
        Path home = Require.dist();
        Daemon daemon = harness.daemon(home, List.of());
        ApiClient api = daemon.api();
        Path work = harness.workDir();
        Path local = work.resolve("tunnel.sock");
        String target = "ssh-tunnel://root@" + GUEST_IP + "/run/api.sock";
        Path missing = work.resolve("no-such-key");
        Path notAKey = Files.writeString(work.resolve("not-a-key"), "hello\n");

        assertRefused(api, local, target, "key not provided for unix-ssh connection");
        assertRefused(api, local, "ssh-tunnel://root@" + GUEST_IP + "?key=/k",
                "remote uri must contain a path to a socket file");
        assertRefused(api, local, "ssh-tunnel://" + GUEST_IP + "/run/api.sock?key=/k",
                "remote uri must name the SSH user: ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile");
        assertRefused(api, local, "ssh-tunnel://root@" + GUEST_IP + ":0/run/api.sock?key=/k",
                "invalid remote addr: port 0");
        assertRefused(api, local, "ssh-tunnel://root@guest/run/api.sock?key=/k", "invalid remote addr: ");
        assertRefused(api, local, "sftp://root@" + GUEST_IP + "/run/api.sock?key=/k",
                "remote protocol for unix forwarder is not implemented: sftp");
        assertRefused(api, local, target + "?key=" + missing, "ssh-tunnel " + target + "?key=" + missing
                + ": identity " + missing + ": no such file");
        assertRefused(api, local, target + "?key=" + notAKey, "ssh-tunnel " + target + "?key=" + notAKey
                + ": identity " + notAKey + ": ");

        assertEquals("[]", api.get("/services/forwarder/all").body().trim());
        assertTrue(Files.notExists(local), "no socket was made for a refused expose");
        assertEquals(0, api.getJson("/stats").path("service-sshtunnel").path("tunnels").asInt());

        // A good remote with no guest behind it: exposed (the session comes with the first connection), and
        // unexposed cleanly without ever having had one.
        Path key = GuestSshd.prepare(harness).identity();
        assertEquals(200, expose(api, local, target + "?key=" + key).status());
        assertEquals(1, api.getJson("/stats").path("service-sshtunnel").path("tunnels").asInt());
        ApiClient.Response unexposed = api.request("POST", "/services/forwarder/unexpose",
                "{\"local\":\"" + local + "\",\"protocol\":\"unix\"}");
        assertEquals(200, unexposed.status(), unexposed.body());
        assertEquals("[]", api.get("/services/forwarder/all").body().trim());
        assertEquals(0, api.getJson("/stats").path("service-sshtunnel").path("tunnels").asInt());
    }

    private static ApiClient.Response expose(ApiClient api, Path local, String remote) {
        return api.request("POST", "/services/forwarder/expose",
                "{\"local\":\"" + local + "\",\"remote\":\"" + remote + "\",\"protocol\":\"unix\"}");
    }

    /** 500 with a reason that starts with {@code reason}. */
    private static void assertRefused(ApiClient api, Path local, String remote, String reason) {
        ApiClient.Response response = expose(api, local, remote);
        assertEquals(500, response.status(), remote + ": " + response.body());
        assertTrue(response.body().startsWith(reason), remote + ": \"" + response.body() + "\" does not start with \""
                + reason + "\"");
    }

    private static int read(SocketChannel channel) {
        try {
            return channel.read(ByteBuffer.allocate(16));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static String echo(SocketChannel channel, String text) throws IOException {
        return new String(UnixStreams.echo(channel, text.getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII);
    }

    /** GET /_ping until it answers (sshd may still be starting: the first connection waits for the session). */
    private static String awaitPing(Path socket) throws InterruptedException {
        long deadline = System.nanoTime() + SESSION_WAIT.toNanos();
        while (true) {
            try (SocketChannel channel = UnixStreams.connect(socket)) {
                channel.write(ByteBuffer.wrap("GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII)));
                String response = new String(UnixStreams.readToEnd(channel), StandardCharsets.US_ASCII);
                if (response.startsWith("HTTP/1.1 200 ")) {
                    return response.substring(response.indexOf("\r\n\r\n") + 4);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no 200 answer through " + socket + ": \"" + response + "\"");
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer through " + socket + " within " + SESSION_WAIT, e);
                }
            }
            Thread.sleep(500);
        }
    }
}
