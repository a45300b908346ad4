package io.tapvsock.transport.common.stream;

import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.tapvsock.api.ListenAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * The server channel class and bind address that fit the network loop's I/O handler: a channel can only be
 * registered on a loop of its own kind, so an epoll loop gets epoll channels and anything else NIO ones.
 */
public record StreamServerChannels(ChannelFactory<? extends ServerChannel> factory, SocketAddress bindAddress) {

    public static StreamServerChannels forLoop(EventLoop loop, ListenAddress address) {
        boolean epoll = Epoll.isAvailable() && loop instanceof IoEventLoop ioLoop
                && ioLoop.isCompatible(EpollIoHandle.class);
        if (address.isUnix()) {
            return epoll
                    ? new StreamServerChannels(EpollServerDomainSocketChannel::new,
                            new DomainSocketAddress(address.unixPath().toString()))
                    : new StreamServerChannels(NioServerDomainSocketChannel::new,
                            UnixDomainSocketAddress.of(address.unixPath()));
        }
        return epoll
                ? new StreamServerChannels(EpollServerSocketChannel::new, address.tcpAddress())
                : new StreamServerChannels(NioServerSocketChannel::new, address.tcpAddress());
    }
}
