package io.tapvsock.transport.vsock.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.VSockAddress;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * gvproxy's {@code -listen vsock://:PORT} (and {@code vsock://CID:PORT}): an AF_VSOCK stream socket, created
 * and bound through Netty's own vsock support and accepted on the network loop. As on gvproxy's other -listen
 * endpoints, a connection that starts with gvforwarder's {@code POST /connect} then carries hyperkit-framed
 * frames, any number at once, and any other request is served by the HTTP API, relayed to the http bundle's
 * private API socket (see {@link ConnectRequestDecoder}, {@link ApiRelay}). Plain Java: the DS component only
 * builds and closes it. Read vsock(7).
 */
public final class VsockListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VsockListener.class.getName());
    private static final int BACKLOG = 128;
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final VirtualNetwork network;
    private final VsockUrl url;
    private final LinkCounters counters;
    private final Supplier<Path> apiSocket;
    private volatile Channel server;

    /**
     * @param apiSocket the unix socket of the HTTP API that requests other than /connect are relayed to; it
     *                  gives null while there is none (those requests then get a 503)
     */
    public VsockListener(VirtualNetwork network, String url, LinkCounters counters, Supplier<Path> apiSocket) {
        this.network = network;
        this.url = VsockUrl.parse(url);
        this.counters = counters;
        this.apiSocket = apiSocket;
    }

    /**
     * Creates, binds and registers the socket; waits for the loop, so call it off the network loop.
     *
     * @throws IOException naming the URL when the socket cannot be bound (no vsock, port in use)
     */
    public void start() throws IOException {
        EventLoop loop = network.eventLoop();
        if (!(loop instanceof IoEventLoop ioLoop) || !ioLoop.isCompatible(EpollIoHandle.class)) {
            throw new IOException("vsock listening needs the network loop on Netty's epoll transport");
        }
        LinuxSocket socket;
        try {
            socket = LinuxSocket.newVSockStream();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + url + ": no AF_VSOCK here (" + e.getMessage() + ")", e);
        }
        try {
            socket.bindVSock(new VSockAddress(url.cid(), url.port()));
            socket.listen(BACKLOG);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot listen on " + url + ": " + e.getMessage(), e);
        }
        EpollServerSocketChannel channel = new EpollServerSocketChannel(socket.intValue());
        ChannelFuture registered = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(() -> channel)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, VpnkitListener.WATER_MARK)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, VpnkitListener.READ_SIZES)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel child) {
                        accept(child);
                    }
                })
                .register().awaitUninterruptibly();
        if (!registered.isSuccess()) {
            channel.unsafe().closeForcibly();
            throw new IOException("cannot listen on " + url + ": " + registered.cause().getMessage(),
                    registered.cause());
        }
        server = channel;
        LOG.log(Level.INFO, "vsock API endpoint (POST /connect) listening on {0}", url);
    }

    /** Network loop: a new connection's first request makes it a frame stream or an API connection. */
    void accept(Channel child) {
        String description = "connect " + url;
        child.pipeline().addLast(new ConnectRequestDecoder(new ConnectRequestDecoder.Next() {
            @Override
            public void frameStream(ChannelHandlerContext ctx) {
                counters.increment(VsockTransportStatus.CONNECTED_STREAMS);
                HyperkitStream.addTo(ctx.pipeline(), network, description, HyperkitStream.MAX_FRAME_SIZE, counters);
            }

            @Override
            public boolean api(ChannelHandlerContext ctx) {
                Path socket = apiSocket.get();
                if (socket == null) {
                    return false;
                }
                counters.increment(VsockTransportStatus.API_CONNECTIONS);
                ctx.pipeline().addLast(new ApiRelay(socket, reason -> {
                    counters.count(VsockTransportStatus.API_FAILURES, "unreachable");
                    LOG.log(Level.WARNING, "{0}: {1}", url, reason);
                }));
                return true;
            }

            @Override
            public void refused(String reason, String detail) {
                counters.count(VsockTransportStatus.CONNECT_REFUSALS, reason);
                LOG.log(Level.WARNING, "{0}: request refused: {1}", url, detail);
            }
        }));
    }

    public String url() {
        return url.url();
    }

    /** Stops accepting; connections already streaming frames stay until they end. Idempotent. */
    @Override
    public void close() {
        Channel listening = server;
        server = null;
        if (listening != null) {
            ChannelFuture closed = listening.close();
            if (!listening.eventLoop().inEventLoop()) {
                closed.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
            }
            LOG.log(Level.INFO, "vsock API endpoint stopped listening on {0}", url);
        }
    }
}
