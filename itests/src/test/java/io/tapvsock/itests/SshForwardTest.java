package io.tapvsock.itests;

import static io.tapvsock.itests.harness.UnixStreams.connect;
import static io.tapvsock.itests.harness.UnixStreams.echo;
import static io.tapvsock.itests.harness.UnixStreams.readToEnd;
import static io.tapvsock.itests.harness.VirtualNet.GUEST_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.GuestSocketServer;
import io.tapvsock.itests.harness.GuestSshd;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * gvproxy's -forward-sock (compat.md sections 1, 6 and 8) against a real sshd: OpenSSH's sshd runs in a namespace
 * guest (behind the qemu transport, with its own host key and an authorized key made here), and a unix socket
 * server stands for podman's API: {@code GET /_ping} answers {@code OK}, anything else is echoed. The daemon starts
 * before the guest (as podman starts it before the VM), so the forward first waits for its session.
 */
class SshForwardTest {

    private static final Duration RECOVERY = Duration.ofSeconds(120);
    private static final String PING_REQUEST = "GET /_ping HTTP/1.1\r\nHost: d\r\n\r\n";
    /** Well past MINA's and sshd's channel windows (2 MiB each), so both directions wait for window space. */
    private static final int STREAM_BYTES = 8 << 20;

    @RegisterExtension
    final Harness harness = new Harness();

    /** The daemon with one forward (socket mode checked), then the guest with sshd and its API socket. */
    private Setup setUp() throws Exception {
        Path home = Require.dist();
        GuestSshd sshd = GuestSshd.prepare(harness);
        Path work = harness.workDir();
        Path forwardSocket = work.resolve("podman.sock");
        Path guestSocket = work.resolve("guest-api.sock");
        Daemon daemon = harness.daemon(home, List.of("-forward-sock", forwardSocket.toString(),
                "-forward-dest", guestSocket.toString(), "-forward-user", "root",
                "-forward-identity", sshd.identity().toString()));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(forwardSocket),
                "the forward socket is the daemon user's only");

        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        assertEquals(GUEST_IP, guest.dhcp().ip());
        GuestSocketServer.start(guest.ns(), guestSocket);
        sshd.startIn(guest.ns());

        return new Setup(daemon, forwardSocket, guestSocket, sshd);
    }

    private record Setup(Daemon daemon, Path forwardSocket, Path guestSocket, GuestSshd server) {
    }

    @Test
    void pingThroughTheForward_concurrentStreams_socketMode_holdsAConnectionWhileSshdRestarts() throws Exception {
        Setup setup = setUp();
        Daemon daemon = setup.daemon();
        Path forwardSocket = setup.forwardSocket();
        Path guestSocket = setup.guestSocket();
        GuestSshd server = setup.server();
        assertEquals("OK", awaitPing(forwardSocket), "GET /_ping through the forward, as podman checks it");

        // Two connections at once over the one session: an echo stream stays open while a ping goes through.
        try (SocketChannel echoStream = connect(forwardSocket)) {
            assertEquals("first", new String(echo(echoStream, "first".getBytes(StandardCharsets.US_ASCII)),
                    StandardCharsets.US_ASCII));
            assertEquals("OK", ping(forwardSocket));
            assertEquals("second", new String(echo(echoStream, "second".getBytes(StandardCharsets.US_ASCII)),
                    StandardCharsets.US_ASCII));
        }

        JsonNode stats = daemon.api().getJson("/stats").path("service-sshforward");
        assertEquals(1, stats.path("sessions").asInt(), stats.toString());
        assertEquals(1, stats.path("sessionsUp").asInt(), stats.toString());
        assertTrue(stats.path("connections").asInt() >= 3, stats.toString());
        assertTrue(stats.path("bytesToGuest").asLong() > 0, stats.toString());
        assertTrue(daemon.exec("tapvsock:sshforwards").contains(forwardSocket + " -> root@guest:" + guestSocket
                + "  session up"), "the shell lists the forward and its session");

        // sshd and its session processes go: the session drops, then a new sshd serves a new one.
        server.kill();
        await(() -> daemon.api().getJson("/stats").path("service-sshforward").path("sessionsUp").asInt() == 0,
                "the forward noticing its session ended", RECOVERY);
        // A connection made while no session is up is held, unread, and served once the new session is.
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try (SocketChannel held = connect(forwardSocket)) {
            held.write(ByteBuffer.wrap(PING_REQUEST.getBytes(StandardCharsets.US_ASCII)));
            server.start();
            Future<String> response = reader.submit(() -> new String(readToEnd(held), StandardCharsets.US_ASCII));
            String answer = response.get(RECOVERY.toSeconds(), TimeUnit.SECONDS);
            assertTrue(answer.startsWith("HTTP/1.1 200 ") && answer.endsWith("\r\n\r\nOK"), answer);
        } finally {
            reader.shutdownNow();
        }
        assertEquals("OK", awaitPing(forwardSocket), "GET /_ping after sshd restarted");
        assertEquals(2, daemon.api().getJson("/stats").path("service-sshforward").path("sessions").asInt());
        daemon.awaitLog("SSH session to root@" + GUEST_IP + ":22 ended; reconnecting", Duration.ofSeconds(10));
    }

    @Test
    void streamsSeveralMegabytesEachWayAtOnce_halfClosedHostStillReadsTheWholeEcho() throws Exception {
        Setup setup = setUp();
        Path forwardSocket = setup.forwardSocket();
        assertEquals("OK", awaitPing(forwardSocket));
        byte[] sent = new byte[STREAM_BYTES];
        new Random(4).nextBytes(sent);
        sent[0] = 0; // never "GET ": the guest's server echoes whatever is not a request

        try (SocketChannel stream = connect(forwardSocket);
                ExecutorService writer = Executors.newSingleThreadExecutor()) {
            // The host writes and reads at once (the echo comes back while the rest still goes out), then shuts
            // down its writing half: the guest's EOF comes only after the whole echo.
            Future<?> written = writer.submit(() -> {
                ByteBuffer out = ByteBuffer.wrap(sent);
                while (out.hasRemaining()) {
                    stream.write(out);
                }
                stream.shutdownOutput();
                return null;
            });
            ByteArrayOutputStream echoed = new ByteArrayOutputStream(sent.length);
            ByteBuffer buffer = ByteBuffer.allocate(65536);
            boolean paused = false;
            while (stream.read(buffer) >= 0) {
                echoed.write(buffer.array(), 0, buffer.position());
                buffer.clear();
                if (!paused && written.isDone()) {
                    // A pause once the host's half is shut: the echo's rest piles up and the forward must wait
                    // until the host's socket takes more (it half-closed, yet still reads).
                    paused = true;
                    sleep(300);
                }
            }
            written.get();
            assertEquals(sent.length, echoed.size(), "bytes echoed through the forward");
            assertEquals(sha256(sent), sha256(echoed.toByteArray()), "the echo is what was sent, in order");
        }
        assertEquals("OK", ping(forwardSocket), "the session still serves after the stream");
        JsonNode stats = setup.daemon().api().getJson("/stats").path("service-sshforward");
        assertEquals(1, stats.path("sessions").asInt(), "one session carried it all: " + stats);
    }

    @Test
    void badForwardFlagsExit2NamingTheFlag() throws Exception {
        Path home = Require.dist();
        Path work = harness.workDir();
        Path key = Files.writeString(work.resolve("key"), "not used");
        Proc.Result mismatch = Proc.run(Duration.ofSeconds(60), home.resolve("bin/gvproxy").toString(),
                "-ssh-port", "-1", "-forward-sock", work.resolve("a.sock").toString(), "-forward-dest", "/x",
                "-forward-sock", work.resolve("b.sock").toString(), "-forward-user", "root",
                "-forward-identity", key.toString());
        assertEquals(2, mismatch.exit(), mismatch.describe());
        assertTrue(mismatch.stderr().contains("-forward-sock, -forward-dest, -forward-user and -forward-identity "
                + "must be given the same number of times"), mismatch.describe());

        Path missing = work.resolve("no-such-key");
        Proc.Result noKey = Proc.run(Duration.ofSeconds(60), home.resolve("bin/gvproxy").toString(),
                "-ssh-port", "-1", "-forward-sock", work.resolve("a.sock").toString(), "-forward-dest", "/x",
                "-forward-user", "root", "-forward-identity", missing.toString());
        assertEquals(2, noKey.exit(), noKey.describe());
        assertTrue(noKey.stderr().contains("-forward-identity " + missing), noKey.describe());
        assertTrue(Files.notExists(work.resolve("a.sock")), "nothing was created");
    }

    private static String awaitPing(Path socket) {
        long deadline = System.nanoTime() + RECOVERY.toNanos();
        while (true) {
            try {
                return ping(socket);
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no answer through " + socket + " within " + RECOVERY, e);
                }
            }
            sleep(500);
        }
    }

    /** GET /_ping; returns the body of a 200 answer, throws for anything else. */
    private static String ping(Path socket) throws IOException {
        try (SocketChannel channel = connect(socket)) {
            channel.write(ByteBuffer.wrap(PING_REQUEST.getBytes(StandardCharsets.US_ASCII)));
            String response = new String(readToEnd(channel), StandardCharsets.US_ASCII);
            if (!response.startsWith("HTTP/1.1 200 ")) {
                throw new IOException("no 200 answer: \"" + response + "\"");
            }
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static void await(BooleanSupplier condition, String what, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            sleep(200);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
