package io.tapvsock.service.capture.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapRecorderTest {

    @TempDir
    Path dir;

    /** One record read back: its lengths and bytes. */
    private record Record(long seconds, int included, int original, byte[] frame) {
    }

    private static List<Record> records(Path path) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.position(PcapFile.GLOBAL_HEADER_LENGTH);
        List<Record> records = new ArrayList<>();
        while (bytes.hasRemaining()) {
            long seconds = Integer.toUnsignedLong(bytes.getInt());
            bytes.getInt();
            int included = bytes.getInt();
            int original = bytes.getInt();
            byte[] frame = new byte[included];
            bytes.get(frame);
            records.add(new Record(seconds, included, original, frame));
        }
        return records;
    }

    private static ByteBuf frame(int length, int fill) {
        byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, (byte) fill);
        // Leave a prefix before the reader index: only the readable bytes are captured.
        ByteBuf buffer = Unpooled.buffer(length + 4).writeInt(0xdeadbeef).writeBytes(bytes);
        buffer.readerIndex(4);
        return buffer;
    }

    @Test
    void framesAreWrittenInOrderAndTheFileIsCompleteAfterClose() throws IOException {
        Path path = dir.resolve("a.pcap");
        PcapRecorder recorder = PcapRecorder.start(PcapFile.create(path), PcapRecorder.Limits.DEFAULT);
        ByteBuf first = frame(60, 1);
        ByteBuf second = frame(1514, 2);
        recorder.record(first);
        recorder.record(second);
        assertEquals(4, first.readerIndex()); // indexes untouched
        recorder.close();
        first.release();
        second.release();

        List<Record> records = records(path);
        assertEquals(2, records.size());
        assertEquals(60, records.get(0).included());
        assertEquals(60, records.get(0).original());
        assertEquals(1514, records.get(1).included());
        assertArrayEquals(frame(1514, 2).array(), concat(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe,
                (byte) 0xef}, records.get(1).frame()));
        long now = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(records.get(0).seconds() - now) < 3600, "timestamp near now: " + records.get(0));
        assertEquals(2L, recorder.snapshot().get("FramesWritten"));
        assertEquals(0L, recorder.snapshot().get("FramesDropped"));
    }

    @Test
    void aSuperSegmentIsWrittenWhole() throws IOException {
        Path path = dir.resolve("tso.pcap");
        PcapRecorder recorder = PcapRecorder.start(PcapFile.create(path), PcapRecorder.Limits.DEFAULT);
        ByteBuf superSegment = frame(65_535 + 14, 3);
        recorder.record(superSegment);
        superSegment.release();
        recorder.close();
        Record record = records(path).getFirst();
        assertEquals(65_549, record.included());
        assertEquals(65_549, record.original());
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws IOException {
        Path path = dir.resolve("full.pcap");
        PcapRecorder recorder = PcapRecorder.unstarted(PcapFile.create(path),
                new PcapRecorder.Limits(2, PcapFile.SNAPLEN));
        for (int i = 0; i < 5; i++) {
            ByteBuf frame = frame(100, i);
            recorder.record(frame);
            frame.release();
        }
        assertEquals(2L, recorder.snapshot().get("FramesCaptured"));
        assertEquals(3L, recorder.snapshot().get("FramesDropped"));
        recorder.startWriter();
        recorder.close();
        List<Record> records = records(path);
        assertEquals(2, records.size());
        assertEquals(0, records.get(0).frame()[0]);
        assertEquals(1, records.get(1).frame()[0]);
    }

    @Test
    void theByteLimitDropsToo() throws IOException {
        PcapRecorder recorder = PcapRecorder.unstarted(PcapFile.create(dir.resolve("bytes.pcap")),
                new PcapRecorder.Limits(100, PcapFile.SNAPLEN));
        ByteBuf big = frame(65_549, 1);
        for (int i = 0; i < 5; i++) {
            recorder.record(big);
        }
        big.release();
        assertEquals(3L, recorder.snapshot().get("FramesCaptured")); // 3 * 65549 <= 262144 < 4 * 65549
        assertEquals(2L, recorder.snapshot().get("FramesDropped"));
        recorder.close();
    }

    @Test
    void framesAfterCloseAreDropped() throws IOException {
        PcapRecorder recorder = PcapRecorder.start(PcapFile.create(dir.resolve("closed.pcap")),
                PcapRecorder.Limits.DEFAULT);
        recorder.close();
        ByteBuf frame = frame(60, 1);
        recorder.record(frame);
        frame.release();
        assertEquals(1L, recorder.snapshot().get("FramesDropped"));
    }

    @Test
    void tooSmallLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PcapRecorder.Limits(0, 1 << 20));
        assertThrows(IllegalArgumentException.class, () -> new PcapRecorder.Limits(10, 1000));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
