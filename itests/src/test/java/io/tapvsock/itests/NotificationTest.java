package io.tapvsock.itests;

import static io.tapvsock.itests.harness.VirtualNet.GATEWAY_IP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Daemon;
import io.tapvsock.itests.harness.Frames;
import io.tapvsock.itests.harness.Harness;
import io.tapvsock.itests.harness.NsGuest;
import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.QemuGuest;
import io.tapvsock.itests.harness.RawQemuClient;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * -notification: the test listens on a unix socket as podman does and reads one JSON line per connection:
 * ready (once the transport socket exists), then a guest's connection_established and connection_closed with its
 * MAC, hypervisor_error for a link that breaks its framing; an absent socket does not stop the daemon; a URL that
 * is not unix:// is a flag error.
 */
class NotificationTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String RAW_MAC = "5a:94:ef:e4:0c:42";

    @RegisterExtension
    final Harness harness = new Harness();

    private Path home;

    @BeforeEach
    void prerequisites() {
        Require.root();
        home = Require.dist();
    }

    /** A listening unix socket: each connection's whole content is one message; it also notes whether a file existed. */
    private static final class Listener implements AutoCloseable {
        record Message(String text, boolean fileExisted) {
        }

        final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        private final ServerSocketChannel server;

        Listener(Path socket, Path watched) throws IOException {
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().name("notification-listener").start(() -> {
                try {
                    while (true) {
                        try (SocketChannel connection = server.accept()) {
                            boolean existed = Files.exists(watched);
                            String text = new String(Channels.newInputStream(connection).readAllBytes(),
                                StandardCharsets.UTF_8);
                            messages.add(new Message(text, existed));
                        }
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
        }

        Message next() throws InterruptedException {
            Message message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(message, "no notification within " + WAIT);
            return message;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static String event(String type, String mac) {
        return "{\"notification_type\":\"" + type + "\",\"mac_address\":\"" + mac + "\"}\n";
    }

    @Test
    void readyThenAGuestConnectsAndDisconnects() throws Exception {
        Require.executable("busybox");
        Path socket = harness.workDir().resolve("notify.sock");
        Path qemuSocket = harness.workDir().resolve("daemon/q.sock");
        Listener listener = harness.register(new Listener(socket, qemuSocket));
        Daemon daemon = harness.daemon(home, List.of("-notification", "unix://" + socket));

        Listener.Message ready = listener.next();
        assertEquals("{\"notification_type\":\"ready\"}\n", ready.text());
        assertTrue(ready.fileExisted(), "ready came before the transport socket " + qemuSocket + " existed");

        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        guest.dhcp();
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        assertEquals(event("connection_established", QemuGuest.GUEST_MAC), listener.next().text());

        guest.forwarder().destroy(); // the guest's link closes normally
        assertEquals(event("connection_closed", QemuGuest.GUEST_MAC), listener.next().text());
        assertTrue(listener.messages.isEmpty(), "more than expected: " + listener.messages);
        assertEquals(3L, daemon.api().getJson("/stats").path("Notification").path("Sent").asLong());
    }

    @Test
    void aLinkThatBreaksItsFramingIsAHypervisorError() throws Exception {
        Path socket = harness.workDir().resolve("notify.sock");
        Listener listener = harness.register(new Listener(socket, socket));
        Daemon daemon = harness.daemon(home, List.of("-notification", "unix://" + socket));
        assertEquals("{\"notification_type\":\"ready\"}\n", listener.next().text());

        RawQemuClient client = harness.register(RawQemuClient.connect(daemon.qemuSocket(), Frames.mac(RAW_MAC),
            Frames.ipv4("192.168.127.42"), Frames.ipv4(GATEWAY_IP), WAIT).client());
        assertEquals(event("connection_established", RAW_MAC), listener.next().text());
        client.sendRaw(new byte[] {0, 0, 0, 0}); // a frame of length 0: the qemu framing is broken
        client.awaitClosedByDaemon(WAIT);
        assertEquals(event("hypervisor_error", RAW_MAC), listener.next().text());
        assertEquals(event("connection_closed", RAW_MAC), listener.next().text());
    }

    @Test
    void anAbsentSocketDoesNotStopTheDaemonAndIsLoggedOnce() throws Exception {
        Require.executable("busybox");
        Path absent = harness.workDir().resolve("nobody-listens.sock");
        Daemon daemon = harness.daemon(home, List.of("-notification", "unix://" + absent));
        NsGuest guest = NsGuest.attach(harness, harness.netns(), home, daemon.qemuSocket(), 1500);
        guest.dhcp();
        guest.ping(GATEWAY_IP, 1).requireSuccess();
        // ready and connection_established were both lost; the outage is logged once.
        for (int i = 0; i < 100 && daemon.api().getJson("/stats").path("Notification").path("Failed").asLong() < 2; i++) {
            Thread.sleep(100);
        }
        assertEquals(2L, daemon.api().getJson("/stats").path("Notification").path("Failed").asLong());
        String log = daemon.log();
        assertEquals(1, log.split("cannot send notifications to " + absent, -1).length - 1, Proc.tail(log, 4000));
    }

    @Test
    void aUrlThatIsNotUnixIsAFlagError() {
        Proc.Result result = Proc.run(Duration.ofSeconds(60), home.resolve("bin/gvproxy").toString(),
            "-notification", "tcp://127.0.0.1:9", "-ssh-port", "-1");
        assertEquals(2, result.exit(), result.describe());
        assertTrue(result.stderr().contains("-notification \"tcp://127.0.0.1:9\" is not unix:///path"),
            result.describe());
    }
}
