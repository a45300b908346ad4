package io.tapvsock.stack.testing;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.icmp.IcmpSocketOpener;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A whole {@link Stack} on a real one-thread network loop, with a manual clock and one guest port whose frames
 * land in {@link #sink}. Tests drive it with {@link #run} and {@link #call}, which execute on the loop.
 */
public final class StackFixture implements AutoCloseable {

    public final AtomicLong clock = new AtomicLong(1_000_000_000L);
    public final HostChannels hostChannels = HostChannels.detect();
    public final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, hostChannels.ioHandlerFactory());
    public final EventLoop loop = group.next();
    public final Stack stack;
    public final TestSink sink = new TestSink();
    public final NetworkPort port;

    public StackFixture() {
        this(NetworkSettings.defaults(), StackLimits.defaults());
    }

    public StackFixture(NetworkSettings settings, StackLimits limits) {
        this(settings, limits, IcmpSocketOpener.SYSTEM);
    }

    /** @param icmpSockets opens the ICMP sockets of echo forwarding (in a test namespace, or refused) */
    public StackFixture(NetworkSettings settings, StackLimits limits, IcmpSocketOpener icmpSockets) {
        stack = call(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, hostChannels, clock::get, settings, limits,
                icmpSockets));
        port = call(() -> stack.attach(sink, "test guest"));
    }

    public interface LoopTask {
        void run() throws Exception;
    }

    public void run(LoopTask task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    public <T> T call(Callable<T> task) {
        try {
            return loop.submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("loop task failed: " + e, e);
        }
    }

    /** Hands one frame to the stack as the guest's transport would, and ends the burst. */
    public void guestSends(byte[] frame) {
        run(() -> {
            port.receive(TestFrames.direct(frame));
            port.endOfBurst();
        });
    }

    public long drops(String reason) {
        return call(() -> stack.drops().get(reason));
    }

    public void advanceSeconds(long seconds) {
        clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    @Override
    public void close() {
        run(stack::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
