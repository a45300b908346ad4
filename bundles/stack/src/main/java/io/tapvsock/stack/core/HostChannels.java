package io.tapvsock.stack.core;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The channel classes that fit the network loop's I/O handler: epoll where Netty's native code loads, else NIO. */
public record HostChannels(IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel, boolean nativeEpoll) {

    /** How long the network loop keeps polling after I/O before it sleeps (see SpinThenBlockStrategy). */
    private static final long SPIN_NANOS = Long.getLong("tapvsock.loop.spinMicros", 100) * 1000;

    public static HostChannels detect() {
        if (Epoll.isAvailable()) {
            return new HostChannels(RearmingEpollIoHandler.wrap(
                    EpollIoHandler.newFactory(0, () -> new SpinThenBlockStrategy(SPIN_NANOS))), EpollSocketChannel.class,
                    EpollDatagramChannel.class, true);
        }
        return new HostChannels(NioIoHandler.newFactory(), NioSocketChannel.class, NioDatagramChannel.class, false);
    }
}
