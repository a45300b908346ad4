package io.tapvsock.itests.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The QEMU harness without the daemon: a test peer listens where {@code -netdev stream} connects and must see
 * the guest's DHCP DISCOVER arrive with the qemu framing.
 */
class QemuGuestSelfTest {
    @RegisterExtension
    final Harness harness = new Harness();

    @Test
    void guestDhcpDiscoverArrivesFramedAtTheStreamPeer() throws Exception {
        Path socket = harness.workDir().resolve("peer.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<byte[]> discover = CompletableFuture.supplyAsync(() -> readUntilDiscover(server),
                runnable -> Thread.ofVirtual().start(runnable));
            QemuGuest guest = harness.register(QemuGuest.boot(harness.workDir(), QemuGuest.streamNetdev(socket),
                "udhcpc -i eth0 -s /etc/udhcpc.sh -q -n -t 20 -T 1 -O mtu; echo MARK dhcp-gave-up"));
            harness.diagnostic("guest console", guest::transcript);
            guest.await(Pattern.compile("MARK booted 5a:94:ef:e4:0c:ee"), Duration.ofSeconds(120));
            byte[] frame = discover.get(60, TimeUnit.SECONDS);
            assertEquals(QemuGuest.GUEST_MAC, Frames.sourceMac(frame));
            assertEquals(1, Frames.dhcpMessageType(frame), "DHCPDISCOVER");
        }
    }

    private static byte[] readUntilDiscover(ServerSocketChannel server) {
        try (QemuWire wire = new QemuWire(server.accept())) {
            while (true) {
                byte[] frame = wire.receive();
                if (Frames.dhcpMessageType(frame) == 1) {
                    return frame;
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
