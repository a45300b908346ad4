package io.tapvsock.transport.qemu;

import io.tapvsock.api.ListenAddress;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * The server channel class and bind address that fit the network loop's I/O handler: a channel can only be
 * registered on a loop of its own kind, so an epoll loop gets epoll channels and anything else NIO ones.
 */
record ServerChannels(ChannelFactory<? extends ServerChannel> factory, SocketAddress bindAddress) {

    static ServerChannels forLoop(EventLoop loop, ListenAddress address) {
        boolean epoll = Epoll.isAvailable() && loop instanceof IoEventLoop ioLoop && ioLoop.isIoType(EpollIoHandler.class);
        if (address.isUnix()) {
            return epoll
                    ? new ServerChannels(EpollServerDomainSocketChannel::new, new DomainSocketAddress(address.unixPath().toString()))
                    : new ServerChannels(NioServerDomainSocketChannel::new, UnixDomainSocketAddress.of(address.unixPath()));
        }
        return epoll
                ? new ServerChannels(EpollServerSocketChannel::new, address.tcpAddress())
                : new ServerChannels(NioServerSocketChannel::new, address.tcpAddress());
    }
}
