package io.tapvsock.transport.vsock.impl;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import io.tapvsock.transport.common.stream.StreamServerChannels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One vpnkit listener (gvproxy's {@code -listen-vpnkit}): a server socket on the network loop that takes any
 * number of clients at once. Each client runs the {@link VpnkitHandshake}, then becomes a switch port with
 * hyperkit framing for as long as its connection lasts. Plain Java: the DS component only builds and closes it.
 */
public final class VpnkitListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VpnkitListener.class.getName());
    /** Room for several 64 KiB frames before the stack is told to hold back. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Reads grow up to several maximum-size frames, so a burst of big frames is not split into copies. */
    static final AdaptiveRecvByteBufAllocator READ_SIZES = new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final VirtualNetwork network;
    private final ListenAddress address;
    private final int mtu;
    private final VpnkitHandshake handshake;
    private final LinkCounters counters;
    private volatile Channel server;
    /** The connected clients. Changed on the network loop, read by the shell and by close(). */
    private final Set<Channel> clients = ConcurrentHashMap.newKeySet();

    /** @param mtu announced in each handshake; 0 means the network's MTU at the time the client connects */
    public VpnkitListener(VirtualNetwork network, ListenAddress address, int mtu, VpnkitHandshake handshake,
            LinkCounters counters) {
        if (mtu != 0 && (mtu < 68 || mtu > 65535)) {
            throw new IllegalArgumentException("mtu: " + mtu + " is outside 68..65535 (or 0 for the network's)");
        }
        this.network = network;
        this.address = address;
        this.mtu = mtu;
        this.handshake = handshake;
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
        LOG.log(Level.INFO, "vpnkit transport listening on {0}", address);
    }

    /** Network loop: a new client starts with the handshake. */
    private void accept(Channel channel) {
        clients.add(channel);
        channel.closeFuture().addListener(closed -> clients.remove(channel));
        counters.increment(VsockTransportStatus.VPNKIT_CLIENTS);
        int linkMtu = mtu != 0 ? mtu : network.settings().mtu();
        channel.pipeline().addLast(new VpnkitHandshakeHandler(network, handshake, linkMtu, "vpnkit " + address,
                counters));
    }

    /** The address actually bound (with the chosen port for tcp://host:0). */
    public SocketAddress localAddress() {
        Channel channel = server;
        return channel == null ? null : channel.localAddress();
    }

    public ListenAddress address() {
        return address;
    }

    /** Clients connected now, in the handshake or attached. Any thread. */
    public int clientCount() {
        return clients.size();
    }

    /** One line for the shell: the URL and each client with its port, if it has one yet. */
    public String describe() {
        if (clients.isEmpty()) {
            return "vpnkit " + address + "  no clients";
        }
        return "vpnkit " + address + "  " + clients.stream().map(VpnkitListener::describeClient).sorted()
                .collect(Collectors.joining(", "));
    }

    private static String describeClient(Channel channel) {
        StreamPort port = channel.pipeline().get(StreamPort.class);
        int id = port == null ? -1 : port.portId();
        return "client " + StreamPort.peer(channel) + (id < 0 ? " (handshake)" : " port " + id);
    }

    /** Closes the server socket first (no new client can slip in), then every client; removes the socket file. */
    @Override
    public void close() {
        Channel listening = server;
        server = null;
        if (listening != null) {
            await(listening.close());
            LOG.log(Level.INFO, "vpnkit transport stopped listening on {0}", address);
        }
        for (Channel client : clients) {
            StreamPort port = client.pipeline().get(StreamPort.class);
            if (port != null) {
                port.closeWith("listener-closed");
            } else {
                client.close();
            }
            await(client.closeFuture());
        }
        if (listening != null && address.isUnix()) {
            try {
                Files.deleteIfExists(address.unixPath());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + address.unixPath(), e);
            }
        }
    }

    /** Waits for a close unless on the loop itself (which would deadlock). */
    private static void await(ChannelFuture future) {
        if (!future.channel().eventLoop().inEventLoop()) {
            future.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
    }
}
