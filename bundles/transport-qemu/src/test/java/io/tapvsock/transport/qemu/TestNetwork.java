package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A VirtualNetwork of its own epoll loop whose ports record what they get. */
final class TestNetwork implements VirtualNetwork, AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final EventLoop loop = group.next();
    private final AtomicInteger nextId = new AtomicInteger(1);
    final BlockingQueue<TestPort> attached = new LinkedBlockingQueue<>();

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public NetworkPort attach(FrameSink sink, String description) {
        TestPort port = new TestPort(nextId.getAndIncrement(), sink, description);
        attached.add(port);
        return port;
    }

    @Override
    public NetworkSettings settings() {
        return NetworkSettings.defaults();
    }

    TestPort nextPort() throws InterruptedException {
        TestPort port = attached.poll(10, TimeUnit.SECONDS);
        if (port == null) {
            throw new AssertionError("no port was attached");
        }
        return port;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
    }

    final class TestPort implements NetworkPort {
        final int id;
        final FrameSink sink;
        final String description;
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        /** Frames handed over with work left to offload (vnet mode). */
        final BlockingQueue<byte[]> offloaded = new LinkedBlockingQueue<>();
        final Semaphore bursts = new Semaphore(0);
        final CountDownLatch detached = new CountDownLatch(1);
        volatile boolean receivedAfterDetach;

        TestPort(int id, FrameSink sink, String description) {
            this.id = id;
            this.sink = sink;
            this.description = description;
        }

        @Override
        public int id() {
            return id;
        }

        @Override
        public void receiveOffloaded(ByteBuf frame) {
            record(frame, offloaded);
        }

        @Override
        public void receive(ByteBuf frame) {
            record(frame, frames);
        }

        private void record(ByteBuf frame, BlockingQueue<byte[]> into) {
            try {
                if (detached.getCount() == 0) {
                    receivedAfterDetach = true;
                }
                byte[] bytes = new byte[frame.readableBytes()];
                frame.getBytes(frame.readerIndex(), bytes);
                into.add(bytes);
            } finally {
                frame.release();
            }
        }

        byte[] nextOffloaded() throws InterruptedException {
            byte[] frame = offloaded.poll(10, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no offloaded frame arrived");
            }
            return frame;
        }

        /** Hands one TCP frame to the sink for segmentation from the network loop, then flushes. */
        void sendSegmented(byte[] frame, int segmentSize) throws InterruptedException {
            loop.submit(() -> {
                sink.sendSegmented(PooledByteBufAllocator.DEFAULT.directBuffer(frame.length).writeBytes(frame),
                        segmentSize);
                sink.flush();
            }).sync();
        }

        boolean segmentsTcp() throws Exception {
            return loop.submit(sink::segmentsTcp).get();
        }

        @Override
        public void endOfBurst() {
            bursts.release();
        }

        @Override
        public void detach() {
            detached.countDown();
        }

        byte[] nextFrame() throws InterruptedException {
            byte[] frame = frames.poll(10, TimeUnit.SECONDS);
            if (frame == null) {
                throw new AssertionError("no frame arrived");
            }
            return frame;
        }

        void awaitEndOfBurst() throws InterruptedException {
            if (!bursts.tryAcquire(10, TimeUnit.SECONDS)) {
                throw new AssertionError("no end of burst");
            }
        }

        void awaitDetached() throws InterruptedException {
            if (!detached.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("port " + id + " was not detached");
            }
        }

        /** Sends frames toward the guest from the network loop, then flushes once. */
        void send(byte[]... frames) throws InterruptedException {
            loop.submit(() -> {
                for (byte[] frame : frames) {
                    sink.send(PooledByteBufAllocator.DEFAULT.directBuffer(frame.length).writeBytes(frame));
                }
                sink.flush();
            }).sync();
        }

        boolean writable() throws Exception {
            return loop.submit(sink::isWritable).get();
        }
    }
}
