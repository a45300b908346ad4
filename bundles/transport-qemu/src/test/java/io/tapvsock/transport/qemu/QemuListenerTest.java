package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.api.ListenAddress;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Real unix and tcp listeners on a test network's epoll loop, driven by blocking JDK clients. */
@Timeout(60)
class QemuListenerTest {

    @TempDir
    Path dir;

    private final TestNetwork network = new TestNetwork();
    private final LinkCounters counters = QemuTransportStatus.newCounters();
    private final List<QemuListener> listeners = new ArrayList<>();

    @AfterEach
    void tearDown() {
        listeners.forEach(QemuListener::close);
        network.close();
    }

    private QemuListener listen(String url, int maxFrameSize) throws IOException {
        QemuListener listener = new QemuListener(network, ListenAddress.parse(url), maxFrameSize, counters);
        listener.start();
        listeners.add(listener);
        return listener;
    }

    private QemuListener listenUnix() throws IOException {
        return listen("unix://" + dir.resolve("qemu.sock"), QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE);
    }

    private QemuListener listenTcp() throws IOException {
        return listen("tcp://127.0.0.1:0", QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE);
    }

    /** Where a client connects: the socket file for unix, the bound port for tcp. */
    private static SocketAddress target(QemuListener listener) {
        return listener.address().isUnix() ? UnixDomainSocketAddress.of(listener.address().unixPath())
                : listener.localAddress();
    }

    /** Counters read on the network loop, so everything it counted so far is visible. */
    private Map<String, Object> stats() throws Exception {
        return network.eventLoop().submit(counters::snapshot).get();
    }

    @SuppressWarnings("unchecked")
    private long closes(String reason) throws Exception {
        return (Long) ((Map<String, Object>) stats().get("closes")).getOrDefault(reason, 0L);
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        new Random(seed).nextBytes(frame);
        return frame;
    }

    private void framesBothWays(QemuListener listener) throws Exception {
        byte[] a = frame(60, 1);
        byte[] b = frame(1514, 2);
        byte[] big = frame(65550, 3);
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            assertEquals("qemu " + listener.address().url(), port.description);

            client.sendFrames(a, b, big);
            assertArrayEquals(a, port.nextFrame());
            assertArrayEquals(b, port.nextFrame());
            assertArrayEquals(big, port.nextFrame());
            port.awaitEndOfBurst();

            port.send(b, a, big);
            assertArrayEquals(b, client.readFrame());
            assertArrayEquals(a, client.readFrame());
            assertArrayEquals(big, client.readFrame());
            assertTrue(port.writable());

            client.hangUp();
            port.awaitDetached();
        }
        Map<String, Object> stats = stats();
        assertEquals(3L, stats.get("framesIn"));
        assertEquals((long) a.length + b.length + big.length, stats.get("bytesIn"));
        assertEquals(3L, stats.get("framesOut"));
        assertEquals((long) a.length + b.length + big.length, stats.get("bytesOut"));
        assertEquals(1L, stats.get("clientsAccepted"));
        assertEquals(1L, closes("peer-closed"));
    }

    @Test
    void unix_frames_flow_both_ways() throws Exception {
        framesBothWays(listenUnix());
    }

    @Test
    void tcp_frames_flow_both_ways() throws Exception {
        framesBothWays(listenTcp());
    }

    @Test
    void unix_existing_path_is_refused_and_left_alone() throws Exception {
        Path path = dir.resolve("taken.sock");
        Files.writeString(path, "someone else's");
        IOException refused = assertThrows(IOException.class,
                () -> listen("unix://" + path, QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE));
        assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
        assertEquals("someone else's", Files.readString(path));
    }

    @Test
    void close_ends_the_client_and_removes_the_socket_file() throws Exception {
        QemuListener listener = listenUnix();
        Path path = listener.address().unixPath();
        assertTrue(Files.exists(path));
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            listener.close();
            port.awaitDetached();
            assertTrue(client.closedByServer());
        }
        assertFalse(Files.exists(path));
        assertEquals(1L, closes("listener-closed"));
        listener.close();
    }

    @Test
    void zero_length_closes_the_connection_after_the_frames_before_it() throws Exception {
        QemuListener listener = listenUnix();
        byte[] before = frame(100, 4);
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] after = frame(100, 5);
            byte[] stream = new byte[4 + before.length + 4 + 4 + after.length];
            java.nio.ByteBuffer.wrap(stream).putInt(before.length).put(before).putInt(0).putInt(after.length).put(after);
            client.sendRaw(stream);
            port.awaitDetached();
            assertArrayEquals(before, port.nextFrame());
            assertTrue(port.frames.isEmpty(), "nothing after the bad prefix");
            assertFalse(port.receivedAfterDetach);
            assertTrue(client.closedByServer());
        }
        assertEquals(1L, closes("bad-length-zero"));
    }

    @Test
    void absurd_length_closes_the_connection() throws Exception {
        QemuListener listener = listenTcp();
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            client.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3});
            port.awaitDetached();
            assertTrue(port.frames.isEmpty());
            assertTrue(client.closedByServer());
        }
        assertEquals(1L, closes("frame-too-long"));
    }

    @Test
    void frame_of_max_size_passes_and_one_byte_more_closes() throws Exception {
        QemuListener listener = listen("unix://" + dir.resolve("small.sock"), 1514);
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] max = frame(1514, 6);
            client.sendFrames(max);
            assertArrayEquals(max, port.nextFrame());
            client.sendFrames(frame(1515, 7));
            port.awaitDetached();
            assertTrue(port.frames.isEmpty());
        }
        assertEquals(1L, closes("frame-too-long"));
    }

    @Test
    void truncated_frame_then_close_is_counted_and_dropped() throws Exception {
        QemuListener listener = listenUnix();
        byte[] whole = frame(64, 8);
        try (TestClient client = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            client.sendFrames(whole);
            assertArrayEquals(whole, port.nextFrame());
            client.sendRaw(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            client.hangUp();
            port.awaitDetached();
            assertTrue(port.frames.isEmpty());
        }
        assertEquals(1L, closes("truncated"));
        assertEquals(0L, closes("peer-closed"));
    }

    @Test
    void second_client_is_refused_until_the_first_leaves() throws Exception {
        QemuListener listener = listenUnix();
        QemuTransportStatus status = new QemuTransportStatus();
        status.add(listener);
        assertTrue(status.listeners().contains("no client"), status.listeners());
        try (TestClient first = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            // Read on the loop: attach() has returned there once this task runs.
            String listing = network.eventLoop().submit(status::listeners).get();
            assertTrue(listing.contains("port " + port.id), listing);
            try (TestClient second = new TestClient(target(listener))) {
                assertTrue(second.closedByServer());
            }
            assertEquals(1L, stats().get("clientsRefused"));
            assertTrue(network.attached.isEmpty(), "no port for the refused client");

            byte[] still = frame(80, 9);
            first.sendFrames(still);
            assertArrayEquals(still, port.nextFrame());
            first.hangUp();
            port.awaitDetached();
        }
        try (TestClient third = new TestClient(target(listener))) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] hello = frame(90, 10);
            port.send(hello);
            assertArrayEquals(hello, third.readFrame());
        }
        assertEquals(2L, stats().get("clientsAccepted"));
    }

    @Test
    void random_bytes_close_only_that_connection() throws Exception {
        QemuListener unix = listenUnix();
        QemuListener tcp = listenTcp();
        try (TestClient victim = new TestClient(target(unix)); TestClient bystander = new TestClient(target(tcp))) {
            TestNetwork.TestPort victimPort = network.nextPort();
            TestNetwork.TestPort bystanderPort = network.nextPort();
            if (victimPort.description.startsWith("qemu tcp")) {
                TestNetwork.TestPort swap = victimPort;
                victimPort = bystanderPort;
                bystanderPort = swap;
            }
            byte[] noise = frame(8192, 11);
            noise[0] = (byte) 0xde; // a length far above the maximum, whatever the seed gives
            victim.sendRaw(noise);
            victimPort.awaitDetached();
            assertTrue(victim.closedByServer());

            byte[] in = frame(200, 12);
            byte[] out = frame(300, 13);
            bystander.sendFrames(in);
            assertArrayEquals(in, bystanderPort.nextFrame());
            bystanderPort.send(out);
            assertArrayEquals(out, bystander.readFrame());
            assertEquals(1L, bystanderPort.detached.getCount(), "the other connection is still attached");
        }
    }

    @Test
    void sink_drops_frames_it_cannot_send() throws Exception {
        QemuListener listener = listen("tcp://127.0.0.1:0", 1514);
        TestNetwork.TestPort port;
        try (TestClient client = new TestClient(target(listener))) {
            port = network.nextPort();
            port.send(frame(1515, 14), new byte[0]);
            byte[] fits = frame(1514, 15);
            port.send(fits);
            assertArrayEquals(fits, client.readFrame());
        }
        port.awaitDetached();
        port.send(frame(60, 16));
        @SuppressWarnings("unchecked")
        Map<String, Object> drops = (Map<String, Object>) stats().get("dropsOut");
        assertEquals(Map.of("frame-too-long", 1L, "empty-frame", 1L, "link-down", 1L), drops);
        assertEquals(1L, stats().get("framesOut"));
    }
}
