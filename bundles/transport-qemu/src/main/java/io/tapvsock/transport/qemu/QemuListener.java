package io.tapvsock.transport.qemu;

import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.MacAddress;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.stream.StreamServerChannels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.concurrent.RejectedExecutionException;

/**
 * One qemu transport listener (gvproxy's {@code -listen-qemu}): a server socket on the network loop that takes
 * one client at a time, like gvproxy; a second client is closed at once and counted. Each client becomes a
 * switch port for as long as its connection lasts. Plain Java: the DS component only builds and closes it.
 * With offload allowed, a client that opens with tapvsock's hello gets vnet mode (see {@link QemuConnection}).
 */
public final class QemuListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(QemuListener.class.getName());
    /** Room for several 64 KiB frames before the stack is told to hold back. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Reads grow up to several maximum-size frames, so a burst of 64 KiB frames is not split into copies. */
    private static final AdaptiveRecvByteBufAllocator READ_SIZES = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final VirtualNetwork network;
    private final ListenAddress address;
    private final int maxFrameSize;
    private final boolean offload;
    private final LinkCounters counters;
    private volatile Channel server;
    /** The connected client, if any. Written on the network loop, read by the shell. */
    private volatile Channel client;

    /** A listener that allows vnet mode (offload), the configuration's default. */
    public QemuListener(VirtualNetwork network, ListenAddress address, int maxFrameSize, LinkCounters counters) {
        this(network, address, maxFrameSize, true, counters);
    }

    /** @param offload a client may switch its connection to vnet mode with the hello */
    public QemuListener(VirtualNetwork network, ListenAddress address, int maxFrameSize, boolean offload,
            LinkCounters counters) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.network = network;
        this.address = address;
        this.maxFrameSize = maxFrameSize;
        this.offload = offload;
        this.counters = counters;
    }

    /**
     * Binds the listening socket; waits for the bind, so call it off the network loop.
     *
     * @throws IOException when a unix socket path already exists or the bind fails; the message names the address
     */
    public void start() throws IOException {
        if (address.isUnix() && Files.exists(address.unixPath(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing to listen on " + address + ": " + address.unixPath()
                    + " already exists (remove it first)");
        }
        EventLoop loop = network.eventLoop();
        StreamServerChannels channels = StreamServerChannels.forLoop(loop, address);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop)
                .channelFactory(channels.factory())
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, READ_SIZES)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        accept(channel);
                    }
                });
        if (!address.isUnix()) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true).childOption(ChannelOption.TCP_NODELAY, true);
        }
        ChannelFuture bind = bootstrap.bind(channels.bindAddress()).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new IOException("cannot listen on " + address + ": " + bind.cause().getMessage(), bind.cause());
        }
        server = bind.channel();
        LOG.log(Level.INFO, "qemu transport listening on {0}", address);
    }

    /** Network loop: the pipeline of a new connection, or its refusal while another client is connected. */
    private void accept(Channel channel) {
        if (client != null) {
            counters.increment(QemuTransportStatus.CLIENTS_REFUSED);
            LOG.log(Level.WARNING, "{0}: refusing client {1}: a client is already connected (one at a time)",
                    address, QemuConnection.peer(channel));
            channel.close();
            return;
        }
        client = channel;
        counters.increment(QemuTransportStatus.CLIENTS_ACCEPTED);
        channel.closeFuture().addListener(closed -> client = null);
        QemuFrameDecoder decoder = new QemuFrameDecoder(maxFrameSize);
        channel.pipeline().addLast(decoder, new QemuConnection(network, "qemu " + address, maxFrameSize, counters,
                decoder, offload, macBytes(network.settings().gatewayMac())));
    }

    /** The gateway's MAC as six octets: the source of our hello answers (the switch never sees them). */
    private static byte[] macBytes(MacAddress mac) {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (mac.bits() >>> (40 - 8 * i));
        }
        return bytes;
    }

    /** The address actually bound (with the chosen port for tcp://host:0). */
    public SocketAddress localAddress() {
        Channel channel = server;
        return channel == null ? null : channel.localAddress();
    }

    public ListenAddress address() {
        return address;
    }

    /** One line for the shell: the URL, and the client with its port, if any. */
    public String describe() {
        Channel connected = client;
        if (connected == null) {
            return "qemu " + address + "  no client";
        }
        QemuConnection connection = connected.pipeline().get(QemuConnection.class);
        int portId = connection == null ? -1 : connection.portId();
        return "qemu " + address + "  client " + QemuConnection.peer(connected)
                + (portId < 0 ? "" : "  port " + portId);
    }

    /** Closes the server socket first (no new client can slip in), then the client; removes the socket file. Idempotent. */
    @Override
    public void close() {
        Channel listening = server;
        server = null;
        if (listening != null) {
            await(listening.close());
            LOG.log(Level.INFO, "qemu transport stopped listening on {0}", address);
        }
        Channel connected = client;
        if (connected != null) {
            QemuConnection connection = connected.pipeline().get(QemuConnection.class);
            try {
                if (connection != null) {
                    connection.closeWith("listener-closed");
                } else {
                    connected.close();
                }
            } catch (RejectedExecutionException loopGone) {
                connected.close();
            }
            await(connected.closeFuture());
        }
        if (listening != null && address.isUnix()) {
            try {
                Files.deleteIfExists(address.unixPath());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + address.unixPath(), e);
            }
        }
    }

    /** Waits for a close unless on the loop itself (which would deadlock); a dead loop never completes it. */
    private static void await(ChannelFuture future) {
        if (!future.channel().eventLoop().inEventLoop()) {
            future.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
    }
}
