package io.tapvsock.service.notification.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.MacAddress;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotificationSenderTest {

    private static final MacAddress MAC = MacAddress.parse("5a:94:ef:e4:0c:ee");

    @TempDir
    Path dir;

    private static ServerSocketChannel listen(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }

    /** Accepts one connection and reads it to its end: one notification per connection. */
    private static String acceptOne(ServerSocketChannel server) throws IOException {
        try (SocketChannel connection = server.accept()) {
            return new String(Channels.newInputStream(connection).readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void eachNotificationComesOnItsOwnConnection() throws IOException {
        Path path = dir.resolve("n.sock");
        try (ServerSocketChannel server = listen(path);
                NotificationSender sender = new NotificationSender(path, 16)) {
            sender.send(Notification.ready());
            sender.send(new Notification(Notification.Type.CONNECTION_ESTABLISHED, MAC));
            assertEquals("{\"notification_type\":\"ready\"}\n", acceptOne(server));
            assertEquals("{\"notification_type\":\"connection_established\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                    acceptOne(server));
        }
    }

    @Test
    void anAbsentSocketLosesTheEventsAndDeliveryResumesWhenItListens() throws IOException, InterruptedException {
        Path path = dir.resolve("late.sock");
        try (NotificationSender sender = new NotificationSender(path, 16)) {
            sender.send(Notification.ready()); // returns at once, whatever the socket
            while ((long) sender.snapshot().get("Failed") < 1) {
                Thread.sleep(10);
            }
            try (ServerSocketChannel server = listen(path)) {
                sender.send(new Notification(Notification.Type.CONNECTION_CLOSED, MAC));
                assertEquals("{\"notification_type\":\"connection_closed\",\"mac_address\":\"5a:94:ef:e4:0c:ee\"}\n",
                        acceptOne(server));
            }
            assertEquals(1L, sender.snapshot().get("Failed"));
        }
    }

    @Test
    void aFullQueueDropsAndCountsWithoutWaiting() throws IOException {
        Path path = dir.resolve("slow.sock");
        // A listener that never accepts: the sender's first connection completes into the backlog, its write
        // fits the socket buffer; with the backlog full further connects wait, and the queue fills behind them.
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path), 1);
            try (NotificationSender sender = new NotificationSender(path, 2)) {
                for (int i = 0; i < 100; i++) {
                    sender.send(Notification.ready());
                }
                long dropped = (long) sender.snapshot().get("Dropped");
                // Only the queue (2), the one in flight and the few connected into the backlog escape: the
                // caller never waited for the stuck listener.
                assertTrue(dropped >= 90, "dropped " + dropped + " of 100");
            }
        }
    }
}
