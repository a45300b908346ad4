package io.tapvsock.transport.bess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink ({@link FdFrameSink}, as a bess connection builds it) alone over a real connected SOCK_SEQPACKET pair:
 * one message per frame, limits, EAGAIN.
 */
@Timeout(60)
class BessFrameSinkTest {

    @TempDir
    Path dir;

    private final LinkCounters counters = BessTransportStatus.newCounters();
    private final List<Boolean> interest = new ArrayList<>();
    private int listenFd;
    private FileDescriptor server;
    private SeqpacketClient client;
    private FdFrameSink sink;

    @BeforeEach
    void setUp() throws Exception {
        Epoll.ensureAvailability(); // loads Netty's native library, as the network loop does in the daemon
        Path path = dir.resolve("pair.sock");
        listenFd = SeqpacketSocket.listen(path, 1);
        client = new SeqpacketClient(path);
        server = new FileDescriptor(SeqpacketSocket.accept(listenFd));
        sink = new FdFrameSink(server, PooledByteBufAllocator.DEFAULT, counters, interest::add, "test", 1514);
    }

    @AfterEach
    void tearDown() throws Exception {
        sink.close();
        client.close();
        server.close();
        SeqpacketSocket.close(listenFd);
    }

    private static ByteBuf direct(byte[] bytes) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    @Test
    void eachFrameIsOneMessage_aFrameInTwoBuffersToo() throws Exception {
        byte[] a = bytes(60, 1);
        byte[] b = bytes(1514, 2);
        CompositeByteBuf split = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        split.addComponents(true, direct(java.util.Arrays.copyOf(b, 54)),
                direct(java.util.Arrays.copyOfRange(b, 54, b.length)));

        sink.send(direct(a));
        sink.send(split);
        sink.send(Unpooled.wrappedBuffer(a)); // heap: copied into a direct buffer for the write
        sink.flush();

        assertArrayEquals(a, client.receive());
        assertArrayEquals(b, client.receive());
        assertArrayEquals(a, client.receive());
        Map<String, Object> stats = counters.snapshot();
        assertEquals(3L, stats.get("framesOut"));
        assertEquals(60L + 1514 + 60, stats.get("bytesOut"));
    }

    @Test
    void emptyAndOversizedFrames_areDroppedAndCounted() {
        sink.send(PooledByteBufAllocator.DEFAULT.directBuffer(0));
        sink.send(direct(bytes(1515, 3)));
        sink.flush();

        Map<String, Object> stats = counters.snapshot();
        assertEquals(0L, stats.get("framesOut"));
        assertEquals(Map.of("empty-frame", 1L, "frame-too-long", 1L), stats.get("dropsOut"));
    }

    @Test
    void aFullSocket_waitsForEpollout_thenWritesTheRestInOrder() throws Exception {
        byte[] frame = bytes(1500, 4);
        int sent = 0;
        // Queue past the socket's send buffer: the sink must ask to wait, and stop writing.
        while (interest.isEmpty()) {
            for (int i = 0; i < 64; i++) {
                sink.send(direct(frame));
            }
            sent += 64;
            sink.flush();
            assertTrue(sent < 100_000, "the socket never filled up");
        }
        assertEquals(List.of(true), interest);
        assertTrue(counters.get(BessTransportStatus.WRITE_WAITS) >= 1);
        long written = (Long) counters.snapshot().get("framesOut");
        assertTrue(written < sent);

        // The guest reads everything written so far; EPOLLOUT then lets the rest out.
        for (long i = 0; i < written; i++) {
            assertArrayEquals(frame, client.receive());
        }
        sink.writable();
        assertEquals(false, interest.get(1));
        for (long i = written; i < sent; i++) {
            assertArrayEquals(frame, client.receive());
            if ((Long) counters.snapshot().get("framesOut") < sent && interest.get(interest.size() - 1)) {
                sink.writable();
            }
        }
        assertEquals((long) sent, counters.snapshot().get("framesOut"));
        assertTrue(sink.isWritable());
    }

    @Test
    void close_dropsWhatIsQueued_andLaterFramesAsLinkDown() {
        sink.send(direct(bytes(100, 5)));
        sink.close();
        sink.send(direct(bytes(100, 6)));

        assertFalse(sink.isWritable());
        assertEquals(Map.of("link-down", 2L), counters.snapshot().get("dropsOut"));
    }
}
