package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import java.util.concurrent.TimeUnit;

/** The real virtual network on an epoll loop of its own, gvproxy's default settings. */
final class RealStack implements AutoCloseable {

    static final byte[] GATEWAY_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xdd};
    static final byte[] GUEST_MAC = {0x5a, (byte) 0x94, (byte) 0xef, (byte) 0xe4, 0x0c, (byte) 0xee};

    final MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    final Stack stack;
    final StackNetwork network;

    RealStack() throws Exception {
        var loop = group.next();
        stack = loop.submit(() -> new Stack(loop, PooledByteBufAllocator.DEFAULT, HostChannels.detect(),
                System::nanoTime, NetworkSettings.defaults(), StackLimits.defaults())).get(10, TimeUnit.SECONDS);
        network = new StackNetwork(stack);
    }

    @Override
    public void close() throws Exception {
        group.submit(stack::close).get(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
