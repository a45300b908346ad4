package io.tapvsock.transport.tap;

import io.tapvsock.transport.common.LinkCounters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TapDevice;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The download half of segmentation offload without the stack: the test plays the TCP peer of a socket in a
 * namespace, through a TAP opened with offload and the sink, and hands the sink one hand-built 20000-byte
 * super-segment (segment size 1448, pseudo-header checksum only). The guest's kernel must take it as data.
 */
class TapFrameSinkNamespaceTest {

    private static final long GUEST_MAC = 0x02_11_22_33_44_55L;
    private static final long PEER_MAC = 0x02_00_00_00_00_02L;
    private static final int GUEST_IP = 0x0a_63_00_01; // 10.99.0.1
    private static final int PEER_IP = 0x0a_63_00_02; // 10.99.0.2
    private static final int GUEST_PORT = 5001;
    private static final int PEER_PORT = 40000;
    private static final int SEGMENT_SIZE = 1448;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final LinkCounters counters = TapTransportStatus.newCounters();
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private TestNamespace namespace;
    private TapDevice tap;
    private TapFrameSink sink;

    @BeforeEach
    void setUp() throws Exception {
        Epoll.ensureAvailability(); // the sink's iovec array is native
        namespace = TestNamespace.create();
        tap = TapDevice.open(TapConfig.named("tap0").inNamespace(namespace.path())
                .withMac("02:11:22:33:44:55").withMtu(1500).up(true).offload(true));
        watchdog.schedule(tap::close, 60, TimeUnit.SECONDS); // a read that never returns fails the test
        namespace.ip("link", "set", "lo", "up");
        namespace.ip("addr", "add", "10.99.0.1/24", "dev", "tap0");
        namespace.ip("neigh", "add", "10.99.0.2", "lladdr", "02:00:00:00:00:02", "dev", "tap0", "nud",
                "permanent");
        sink = new TapFrameSink(new FileDescriptor(tap.fd()), alloc, counters, wait -> {
        }, "test", true);
    }

    @AfterEach
    void tearDown() throws Exception {
        watchdog.shutdownNow();
        try {
            sink.close();
            tap.close();
        } finally {
            namespace.close();
        }
    }

    @Test
    void superSegment_isCutOrTakenWholeByTheGuestKernel_andItsSocketReadsEveryByte() throws Exception {
        assertTrue(sink.segmentsTcp());
        String server = """
                import hashlib, socket
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind(('10.99.0.1', 5001))
                s.listen(1)
                s.settimeout(30)
                c, _ = s.accept()
                c.settimeout(30)
                got = hashlib.sha256()
                n = 0
                while True:
                    chunk = c.recv(1 << 16)
                    if not chunk:
                        break
                    got.update(chunk)
                    n += len(chunk)
                print(n, got.hexdigest())
                c.close()
                """;
        CompletableFuture<TestNamespace.Result> served = CompletableFuture.supplyAsync(() -> {
            try {
                return namespace.exec("/usr/bin/python3", "-c", server);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] data = new byte[20000 + 100];
        new Random(7).nextBytes(data);
        byte[] bulk = Arrays.copyOf(data, 20000);
        byte[] tail = Arrays.copyOfRange(data, 20000, data.length);

        // SYN until the listener answers (a RST means it is not listening yet).
        long iss = 1000;
        long guestIss;
        while (true) {
            sink.send(frame(iss, 0, TcpFrames.SYN, new byte[0], true));
            sink.flush();
            ByteBuf reply = readTcpFromGuest();
            try {
                int flags = reply.getUnsignedByte(14 + 20 + 13);
                if ((flags & TcpFrames.RST) != 0) {
                    Thread.sleep(50);
                    continue;
                }
                assertEquals(TcpFrames.SYN | TcpFrames.ACK, flags & (TcpFrames.SYN | TcpFrames.ACK));
                guestIss = reply.getUnsignedInt(14 + 20 + 4);
                break;
            } finally {
                reply.release();
            }
        }
        long seq = iss + 1;
        long ack = guestIss + 1;
        sink.send(frame(seq, ack, TcpFrames.ACK, new byte[0], true));
        // The super-segment: 20000 bytes, cut by the guest into 1448-byte segments (or taken whole).
        sink.sendSegmented(frame(seq, ack, TcpFrames.ACK | TcpFrames.PSH, bulk, false), SEGMENT_SIZE);
        // A short one through the same path: NEEDS_CSUM without segmentation; its FIN ends the stream.
        sink.sendSegmented(frame(seq + bulk.length, ack, TcpFrames.ACK | TcpFrames.FIN, tail, false),
                SEGMENT_SIZE);
        sink.flush();

        // The guest acknowledges everything, FIN included.
        long expectedAck = (seq + data.length + 1) & 0xFFFF_FFFFL;
        while (true) {
            ByteBuf reply = readTcpFromGuest();
            try {
                if (reply.getUnsignedInt(14 + 20 + 8) == expectedAck) {
                    break;
                }
            } finally {
                reply.release();
            }
        }
        TestNamespace.Result result = served.get(60, TimeUnit.SECONDS);
        assertEquals(0, result.exitCode(), result.output());
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        assertEquals(data.length + " " + digest, result.output().trim());
        Map<String, Object> snapshot = counters.snapshot();
        assertEquals(1L, snapshot.get("superSegmentsOut"), snapshot.toString());
        assertEquals(Map.of(), snapshot.get("dropsOut"), snapshot.toString());
    }

    @Test
    void sendSegmented_refusesAFrameTheGuestCouldNotSegment_countingIt() {
        ByteBuf udp = frame(1, 1, TcpFrames.ACK, new byte[3000], false);
        udp.setByte(14 + 9, 17);
        sink.sendSegmented(udp, SEGMENT_SIZE);
        sink.flush();
        assertEquals(0, udp.refCnt());
        Map<String, Object> snapshot = counters.snapshot();
        assertEquals(Map.of("segmented-not-tcp-ipv4", 1L), snapshot.get("dropsOut"), snapshot.toString());
        assertEquals(0L, snapshot.get("framesOut"));
    }

    private ByteBuf frame(long seq, long ack, int flags, byte[] payload, boolean complete) {
        return TcpFrames.build(alloc, GUEST_MAC, PEER_MAC, PEER_IP, GUEST_IP, PEER_PORT, GUEST_PORT, seq, ack,
                flags, payload, complete);
    }

    /**
     * The next TCP/IPv4 frame from the guest's port toward ours, without its virtio-net header (IPv6 router
     * solicitations and the like are skipped).
     *
     * @return transferred: the caller releases
     */
    private ByteBuf readTcpFromGuest() throws Exception {
        ByteBuffer buffer = ByteBuffer.allocateDirect(TapDevice.VNET_HEADER_LENGTH + 65535 + 18);
        while (true) {
            buffer.clear();
            int length = tap.read(buffer);
            int f = TapDevice.VNET_HEADER_LENGTH;
            if (length < f + TcpFrames.HEADERS || buffer.getShort(f + 12) != 0x0800 || buffer.get(f + 23) != 6
                    || (buffer.get(f + 14) & 0x0F) != 5 || buffer.getShort(f + 34) != GUEST_PORT
                    || buffer.getShort(f + 36) != (short) PEER_PORT) {
                continue;
            }
            buffer.position(f).limit(length);
            return alloc.buffer(length - f).writeBytes(buffer);
        }
    }
}
