package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.EventLoop;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A network for the stream tests: its ports (all id 7) keep the frames they receive (copied; the original is
 * released) and report attach and detach as events "+description" and "-description". Safe to read from the
 * test thread while a loop writes.
 */
final class RecordingNetwork implements VirtualNetwork {

    final List<byte[]> received = new CopyOnWriteArrayList<>();
    final List<byte[]> offloaded = new CopyOnWriteArrayList<>();
    final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    volatile FrameSink sink;
    volatile int bursts;
    volatile boolean detached;
    private final EventLoop loop;

    /** A network without a loop, for embedded channels. */
    RecordingNetwork() {
        this(null);
    }

    RecordingNetwork(EventLoop loop) {
        this.loop = loop;
    }

    @Override
    public EventLoop eventLoop() {
        if (loop == null) {
            throw new UnsupportedOperationException("no loop: an embedded channel's test");
        }
        return loop;
    }

    @Override
    public NetworkPort attach(FrameSink sink, String description) {
        this.sink = sink;
        events.add("+" + description);
        return new NetworkPort() {
            @Override
            public void receive(ByteBuf frame) {
                keep(received, frame);
            }

            @Override
            public void receiveOffloaded(ByteBuf frame) {
                keep(offloaded, frame);
            }

            @Override
            public void endOfBurst() {
                bursts++;
            }

            @Override
            public void detach() {
                detached = true;
                events.add("-" + description);
            }

            @Override
            public int id() {
                return 7;
            }
        };
    }

    /** @param frame transferred: copied into {@code to}, then released */
    private static void keep(List<byte[]> to, ByteBuf frame) {
        try {
            to.add(ByteBufUtil.getBytes(frame));
        } finally {
            frame.release();
        }
    }

    @Override
    public NetworkSettings settings() {
        return NetworkSettings.defaults();
    }
}
