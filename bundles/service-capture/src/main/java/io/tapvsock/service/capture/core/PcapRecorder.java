package io.tapvsock.service.capture.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records frames into a {@link PcapFile} without ever making the data path wait for the disk: {@link #record}
 * (on the network loop) copies the frame into a bounded queue and returns; a writer thread of its own drains the
 * queue and writes each batch as soon as it has it, so the file follows the network closely and tshark can read
 * it while the daemon runs. When the queue is full (frames or bytes), the frame is dropped and counted instead.
 */
public final class PcapRecorder implements AutoCloseable {

    /** Limits of the queue between the network loop and the writer. */
    public record Limits(int frames, long bytes) {
        public static final Limits DEFAULT = new Limits(8192, 16L << 20);

        public Limits {
            if (frames < 1 || bytes < PcapFile.SNAPLEN) {
                throw new IllegalArgumentException("queue limits too small: " + frames + " frames, " + bytes
                        + " bytes (at least 1 frame and " + PcapFile.SNAPLEN + " bytes)");
            }
        }
    }

    private static final System.Logger LOG = System.getLogger(PcapRecorder.class.getName());
    /** One write at most this large; a batch is cut into several when frames are many. */
    private static final int BATCH_BYTES = 1 << 20;
    /** The writer wakes at least this often to notice a close. */
    private static final long POLL_MILLIS = 500;

    /** One frame waiting for the writer. */
    private record Captured(long epochMicros, byte[] frame, int originalLength) {
    }

    /** Marks the end of the queue: the writer stops after it. */
    private static final Captured END = new Captured(0, new byte[0], 0);

    private final PcapFile file;
    private final BlockingQueue<Captured> queue;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong framesQueued = new AtomicLong();
    private final AtomicLong framesDropped = new AtomicLong();
    private final AtomicLong framesWritten = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong writeErrors = new AtomicLong();
    /** Wall-clock microseconds at {@link #baseNanos}: timestamps come from the monotonic clock, cheaply. */
    private final long baseEpochMicros;
    private final long baseNanos;
    private final Thread writer;
    private volatile boolean closed;

    /** A recorder over an open file, its writer thread running. */
    public static PcapRecorder start(PcapFile file, Limits limits) {
        PcapRecorder recorder = new PcapRecorder(file, limits);
        recorder.writer.start();
        return recorder;
    }

    /** A recorder whose writer has not started: frames only queue (tests fill the queue with it). */
    static PcapRecorder unstarted(PcapFile file, Limits limits) {
        return new PcapRecorder(file, limits);
    }

    private PcapRecorder(PcapFile file, Limits limits) {
        this.file = file;
        this.queue = new ArrayBlockingQueue<>(limits.frames() + 1); // + 1: room for END
        this.maxQueuedBytes = limits.bytes();
        Instant now = Instant.now();
        this.baseNanos = System.nanoTime();
        this.baseEpochMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
        this.writer = Thread.ofPlatform().daemon().name("tapvsock-capture").unstarted(this::drain);
    }

    /** Starts the writer of a recorder made by {@link #unstarted}. */
    void startWriter() {
        writer.start();
    }

    /**
     * Queues a copy of one frame, or counts it dropped when the queue is full or the recorder closed.
     *
     * @param frame borrowed: not retained after return; its indexes do not move
     */
    public void record(ByteBuf frame) {
        long micros = baseEpochMicros + (System.nanoTime() - baseNanos) / 1_000;
        int length = frame.readableBytes();
        int kept = Math.min(length, PcapFile.SNAPLEN);
        if (closed || queuedBytes.get() + kept > maxQueuedBytes || queue.remainingCapacity() <= 1) {
            framesDropped.incrementAndGet();
            return;
        }
        byte[] copy = ByteBufUtil.getBytes(frame, frame.readerIndex(), kept, true);
        queuedBytes.addAndGet(kept);
        if (queue.offer(new Captured(micros, copy, length))) {
            framesQueued.incrementAndGet();
        } else {
            queuedBytes.addAndGet(-kept);
            framesDropped.incrementAndGet();
        }
    }

    /** The writer thread: take what is queued, write it, repeat until END. */
    private void drain() {
        ByteBuffer batch = ByteBuffer.allocateDirect(BATCH_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        List<Captured> taken = new ArrayList<>();
        boolean ended = false;
        while (!ended) {
            try {
                Captured first = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                taken.add(first);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            queue.drainTo(taken);
            for (Captured captured : taken) {
                if (captured == END) {
                    ended = true;
                    break;
                }
                if (batch.remaining() < PcapFile.RECORD_HEADER_LENGTH + captured.frame().length) {
                    writeOut(batch);
                }
                PcapFile.appendRecord(batch, captured.epochMicros(), captured.frame(), captured.originalLength());
                queuedBytes.addAndGet(-captured.frame().length);
                framesWritten.incrementAndGet();
            }
            taken.clear();
            writeOut(batch); // the queue is empty: the file is up to date
        }
    }

    private void writeOut(ByteBuffer batch) {
        batch.flip();
        int bytes = batch.remaining();
        try {
            file.write(batch);
            bytesWritten.addAndGet(bytes);
        } catch (IOException e) {
            if (writeErrors.getAndIncrement() == 0) {
                LOG.log(Level.ERROR, "capture to " + file.path() + " failed, frames are lost from now on: " + e);
            }
        }
        batch.clear();
    }

    /** Counters for /stats under "Capture". Any thread. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("File", file.path().toString());
        snapshot.put("FramesCaptured", framesQueued.get());
        snapshot.put("FramesWritten", framesWritten.get());
        snapshot.put("BytesWritten", bytesWritten.get());
        snapshot.put("FramesDropped", framesDropped.get());
        snapshot.put("WriteErrors", writeErrors.get());
        return snapshot;
    }

    public Path path() {
        return file.path();
    }

    /** Writes what is queued, stops the writer and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (writer.isAlive()) {
            queue.offer(END); // room was kept for it
            try {
                writer.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writer.interrupt();
        }
        try {
            file.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + file.path() + ": " + e);
        }
    }
}
