package io.tapvsock.stack.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.tapvsock.api.FrameSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A FrameSink that copies each frame and releases it: queued until flush, then visible in {@link #flushed}. */
public final class TestSink implements FrameSink {

    private final List<byte[]> queued = new ArrayList<>();
    public final BlockingQueue<byte[]> flushed = new LinkedBlockingQueue<>();
    public volatile int flushes;
    /** The segment size of each frame that came through {@link #sendSegmented}, in order. */
    public final List<Integer> segmentSizes = new ArrayList<>();
    private final boolean segmentsTcp;

    public TestSink() {
        this(false);
    }

    /** @param segmentsTcp whether the sink claims TCP segmentation offload */
    public TestSink(boolean segmentsTcp) {
        this.segmentsTcp = segmentsTcp;
    }

    @Override
    public boolean segmentsTcp() {
        return segmentsTcp;
    }

    @Override
    public void sendSegmented(ByteBuf frame, int segmentSize) {
        if (!segmentsTcp) {
            frame.release();
            throw new AssertionError("sendSegmented on a sink without segmentation offload");
        }
        segmentSizes.add(segmentSize);
        send(frame);
    }

    @Override
    public void send(ByteBuf frame) {
        try {
            queued.add(ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    @Override
    public void flush() {
        flushes++;
        flushed.addAll(queued);
        queued.clear();
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    public int queuedCount() {
        return queued.size();
    }

    /** The next flushed frame, waiting up to 5 s for the loop or a host socket to produce it. */
    public byte[] take() throws InterruptedException {
        byte[] frame = flushed.poll(5, TimeUnit.SECONDS);
        if (frame == null) {
            throw new AssertionError("no frame reached the sink");
        }
        return frame;
    }

    /** The next flushed frame, or null. */
    public byte[] poll() {
        return flushed.poll();
    }
}
