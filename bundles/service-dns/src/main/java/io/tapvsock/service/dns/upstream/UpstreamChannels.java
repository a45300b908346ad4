package io.tapvsock.service.dns.upstream;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The channel classes that fit the network loop: a channel registers only on a loop of its own kind, so an
 * epoll loop gets epoll channels and anything else NIO ones.
 */
public record UpstreamChannels(ChannelFactory<? extends DatagramChannel> datagram,
        ChannelFactory<? extends SocketChannel> stream) {

    public static UpstreamChannels forLoop(EventLoop loop) {
        boolean epoll = Epoll.isAvailable() && loop instanceof IoEventLoop ioLoop
                && ioLoop.isCompatible(EpollIoHandle.class);
        return epoll
                ? new UpstreamChannels(EpollDatagramChannel::new, EpollSocketChannel::new)
                : new UpstreamChannels(NioDatagramChannel::new, NioSocketChannel::new);
    }
}
