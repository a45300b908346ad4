package io.tapvsock.transport.vsock.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;

/**
 * A unix socket whose connections get exactly the pipeline a {@link VsockListener} puts on its AF_VSOCK ones
 * (testing.md: never connect to a context ID here), accepted on the stack's loop.
 */
final class VsockStandIn implements AutoCloseable {

    private final Channel server;

    VsockStandIn(RealStack stack, VsockListener listener, Path socket) throws InterruptedException {
        server = new ServerBootstrap()
                .group(stack.group, stack.group)
                .channel(EpollServerDomainSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel child) {
                        listener.accept(child);
                    }
                })
                .bind(new DomainSocketAddress(socket.toString())).sync().channel();
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
    }
}
