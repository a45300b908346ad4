package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.tap.VnetHello;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vnet-mode extension over a real unix listener, driven by a scripted forwarder: request, answer,
 * confirmation, then records with a virtio-net header both ways; and every way a hello stays a plain frame.
 */
@Timeout(60)
class QemuVnetModeTest {

    private static final byte[] GUEST_MAC = HexFormat.ofDelimiter(":").parseHex("5a:94:ef:e4:0c:ee");
    private static final byte[] OTHER_MAC = HexFormat.ofDelimiter(":").parseHex("02:00:00:00:00:07");
    private static final byte[] EMPTY_HEADER = new byte[10];
    /** NEEDS_CSUM, no GSO, hdr_len 54, csum_start 34, csum_offset 16 (little-endian u16s). */
    private static final byte[] PARTIAL_CHECKSUM = HexFormat.of().parseHex("0100" + "3600" + "0000" + "2200" + "1000");

    @TempDir
    Path dir;

    private final TestNetwork network = new TestNetwork();
    private final LinkCounters counters = QemuTransportStatus.newCounters();
    private QemuListener listener;

    @AfterEach
    void tearDown() {
        if (listener != null) {
            listener.close();
        }
        network.close();
    }

    private TestClient connect(int maxFrameSize, boolean offload) throws IOException {
        Path socket = dir.resolve("vnet.sock");
        listener = new QemuListener(network, ListenAddress.parse("unix://" + socket), maxFrameSize, offload,
                counters);
        listener.start();
        return new TestClient(UnixDomainSocketAddress.of(socket));
    }

    private static byte[] daemonMac() {
        long bits = NetworkSettings.defaults().gatewayMac().bits();
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return mac;
    }

    /** Request, then the answer read back: the connection's frames toward the guest now carry a header. */
    private static void handshake(TestClient client) throws IOException {
        client.sendFrames(VnetHello.request(GUEST_MAC));
        byte[] answer = client.readFrame();
        assertTrue(VnetHello.isAnswerFor(ByteBuffer.wrap(answer), 0, answer.length, GUEST_MAC),
                HexFormat.of().formatHex(answer));
        assertArrayEquals(daemonMac(), VnetHello.source(ByteBuffer.wrap(answer), 0));
    }

    private static byte[] record(byte[] header, byte[] frame) {
        byte[] record = Arrays.copyOf(header, header.length + frame.length);
        System.arraycopy(frame, 0, record, header.length, frame.length);
        return record;
    }

    private Map<String, Object> stats() throws Exception {
        return network.eventLoop().submit(counters::snapshot).get();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> dropsIn() throws Exception {
        return (Map<String, Object>) stats().get("dropsIn");
    }

    @Test
    void hello_answer_confirm_thenRecordsWithHeadersBothWays() throws Exception {
        try (TestClient client = connect(1514, true)) {
            TestNetwork.TestPort port = network.nextPort();
            handshake(client);
            assertTrue(port.segmentsTcp());
            assertTrue(port.frames.isEmpty(), "the request is not a frame for the network");

            // Toward the guest: an empty header in front of a complete frame.
            byte[] arp = frame(60, 1);
            port.send(arp);
            assertArrayEquals(record(EMPTY_HEADER, arp), client.readFrame());

            // From the guest, until it confirms: plain frames.
            byte[] early = frame(100, 2);
            client.sendFrames(early);
            assertArrayEquals(early, port.nextFrame());

            client.sendFrames(VnetHello.to(daemonMac(), GUEST_MAC));
            byte[] complete = frame(1514, 3);
            byte[] partial = tcp(1000);
            byte[] superSegment = tcp(65535 - 40); // far above the listener's 1514: passes in vnet mode
            byte[] gso = HexFormat.of().parseHex("0101" + "3600" + "a805" + "2200" + "1000");
            client.sendFrames(record(EMPTY_HEADER, complete), record(PARTIAL_CHECKSUM, partial),
                    record(gso, superSegment));
            assertArrayEquals(complete, port.nextFrame());
            assertArrayEquals(partial, port.nextOffloaded());
            assertArrayEquals(superSegment, port.nextOffloaded());
            assertTrue(port.frames.isEmpty(), "the confirmation is not a frame for the network");

            // Toward the guest: a super-segment gets NEEDS_CSUM and TCPV4 with the segment size.
            byte[] big = tcp(3000);
            port.sendSegmented(big, 1448);
            assertArrayEquals(record(gso, big), client.readFrame());
            byte[] small = tcp(1000);
            port.sendSegmented(small, 1448);
            assertArrayEquals(record(PARTIAL_CHECKSUM, small), client.readFrame());
        }
        Map<String, Object> stats = stats();
        assertEquals(1L, stats.get("vnetConnections"));
        assertEquals(2L, stats.get("offloadedFramesIn"));
        assertEquals(1L, stats.get("superSegmentsIn"));
        assertEquals(1L, stats.get("superSegmentsOut"));
        assertEquals(4L, stats.get("framesIn"), "early, complete, partial, super-segment");
        assertEquals((long) 100 + 1514 + 1054 + 65549, stats.get("bytesIn"), "frames without headers");
        assertEquals(4L, stats.get("framesOut"), "the answer, arp, big, small");
    }

    @Test
    void helloNotFirst_isJustAFrame_andNoAnswerComes() throws Exception {
        try (TestClient client = connect(QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE, true)) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] first = frame(80, 4);
            byte[] hello = VnetHello.request(GUEST_MAC);
            client.sendFrames(first, hello);
            assertArrayEquals(first, port.nextFrame());
            assertArrayEquals(hello, port.nextFrame());
            assertFalse(port.segmentsTcp());

            byte[] reply = frame(70, 5);
            port.send(reply);
            assertArrayEquals(reply, client.readFrame(), "plain, and nothing before it");
        }
        assertEquals(0L, stats().get("vnetConnections"));
    }

    @Test
    void offloadOff_helloIsJustAFrame_andNoAnswerComes() throws Exception {
        try (TestClient client = connect(QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE, false)) {
            TestNetwork.TestPort port = network.nextPort();
            byte[] hello = VnetHello.request(GUEST_MAC);
            client.sendFrames(hello);
            assertArrayEquals(hello, port.nextFrame());
            assertFalse(port.segmentsTcp());
            byte[] reply = frame(70, 6);
            port.send(reply);
            assertArrayEquals(reply, client.readFrame(), "plain, and nothing before it");
        }
        assertEquals(0L, stats().get("vnetConnections"));
    }

    @Test
    void answered_aHelloToAnotherMac_isJustAFrame_andFramesStayPlain() throws Exception {
        try (TestClient client = connect(QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE, true)) {
            TestNetwork.TestPort port = network.nextPort();
            handshake(client);
            byte[] stray = VnetHello.to(OTHER_MAC, GUEST_MAC);
            byte[] after = frame(90, 7);
            client.sendFrames(stray, after);
            assertArrayEquals(stray, port.nextFrame());
            assertArrayEquals(after, port.nextFrame());
        }
        assertEquals(0L, stats().get("vnetConnections"));
    }

    @Test
    void badHeaders_areCountedAndDropped_theConnectionStays() throws Exception {
        try (TestClient client = connect(QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE, true)) {
            TestNetwork.TestPort port = network.nextPort();
            handshake(client);
            client.sendFrames(VnetHello.to(daemonMac(), GUEST_MAC));
            byte[] tcpv6 = HexFormat.of().parseHex("0104" + "4a00" + "a805" + "3600" + "1000");
            byte[] unknownFlags = HexFormat.of().parseHex("04000000000000000000");
            byte[] good = frame(200, 8);
            client.sendFrames(new byte[7], EMPTY_HEADER, record(tcpv6, tcp(3000)), record(unknownFlags, frame(60, 9)),
                    record(EMPTY_HEADER, good));
            assertArrayEquals(good, port.nextFrame());
            assertTrue(port.frames.isEmpty());
            assertTrue(port.offloaded.isEmpty());
            assertEquals(1L, port.detached.getCount(), "still attached");

            byte[] back = frame(64, 10);
            port.send(back);
            assertArrayEquals(record(EMPTY_HEADER, back), client.readFrame());
        }
        assertEquals(Map.of("vnet-header-short", 2L, "vnet-gso-unsupported", 1L, "vnet-unknown-flags", 1L),
                dropsIn());
        assertEquals(1L, stats().get("framesIn"));
    }

    @Test
    void recordOverTheVnetLimit_stillClosesOnlyThatConnection() throws Exception {
        try (TestClient client = connect(QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE, true)) {
            TestNetwork.TestPort port = network.nextPort();
            handshake(client);
            client.sendFrames(VnetHello.to(daemonMac(), GUEST_MAC));
            client.sendFrames(new byte[10 + QemuListenerComponent.DEFAULT_MAX_FRAME_SIZE + 1]);
            port.awaitDetached();
            assertTrue(client.closedByServer());
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> closes = (Map<String, Object>) stats().get("closes");
        assertEquals(1L, closes.get("frame-too-long"));
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        new Random(seed).nextBytes(frame);
        return frame;
    }

    /** Ethernet + IPv4 + TCP (no options) carrying {@code payload} bytes; checksums are not looked at here. */
    private static byte[] tcp(int payload) {
        ByteBuffer frame = ByteBuffer.allocate(14 + 20 + 20 + payload).order(ByteOrder.BIG_ENDIAN);
        frame.put(GUEST_MAC).put(daemonMac()).putShort((short) 0x0800);
        frame.put((byte) 0x45).put((byte) 0).putShort((short) (40 + payload)).putInt(0);
        frame.put((byte) 64).put((byte) 6).putShort((short) 0).putInt(0x0a000001).putInt(0x0a000002);
        frame.putShort((short) 5001).putShort((short) 40000).putInt(1).putInt(1);
        frame.put((byte) (5 << 4)).put((byte) 0x10).putShort((short) 65535).putInt(0);
        return frame.array();
    }
}
