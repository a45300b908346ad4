package io.tapvsock.transport.common.stream;

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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * A server socket (unix or tcp, {@link ListenAddress}) whose clients become stream links: gvproxy's
 * {@code -listen-qemu} and {@code -listen-vpnkit}. It accepts on the network loop, takes at most
 * {@code maxClients} at once (one more is handed to {@link Clients#refused} and closed), and lets the transport
 * build each client's pipeline ({@link Clients#accepted}), which ends in a {@link StreamPort} once the stream is
 * framed. {@link #close} shuts the server socket first, so no new client slips in, then every client, then
 * removes the unix socket file. Plain Java: the DS components only build, start and close it.
 */
public final class StreamListener implements AutoCloseable {

    /** Room for several 64 KiB frames before the stack is told to hold back. */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    /** Reads grow up to several maximum-size frames, so a burst of big frames is not split into copies. */
    public static final AdaptiveRecvByteBufAllocator READ_SIZES =
            new AdaptiveRecvByteBufAllocator(512, 16 * 1024, 256 * 1024);
    /** The close reason of the clients still connected when the listener closes. */
    public static final String LISTENER_CLOSED = "listener-closed";

    private static final System.Logger LOG = System.getLogger(StreamListener.class.getName());
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    /** What a transport does with the connections its listener accepts. Network loop only. */
    @FunctionalInterface
    public interface Clients {

        /** Builds the pipeline of a client the listener took (counted and logged by the transport). */
        void accepted(Channel client);

        /** A client beyond {@code maxClients}, closed once this returns: count it and say why. */
        default void refused(Channel client) {
        }
    }

    private final String kind;
    private final VirtualNetwork network;
    private final ListenAddress address;
    private final int maxClients;
    private final Clients clients;
    /** The connected clients. Changed on the network loop, read by the shell and by close(). */
    private final Set<Channel> connected = ConcurrentHashMap.newKeySet();
    private volatile Channel server;

    /**
     * @param kind       the transport, for log lines: "qemu", "vpnkit"
     * @param maxClients how many clients may be connected at once, at least 1
     */
    public StreamListener(String kind, VirtualNetwork network, ListenAddress address, int maxClients,
            Clients clients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be positive: " + maxClients);
        }
        this.kind = kind;
        this.network = network;
        this.address = address;
        this.maxClients = maxClients;
        this.clients = clients;
    }

    /**
     * Binds the listening socket on the network loop; waits for the bind, so call it off the loop.
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
        LOG.log(Level.INFO, "{0} transport listening on {1}", kind, address);
    }

    /** Network loop: a new connection is taken, or refused while {@code maxClients} are connected. */
    private void accept(Channel channel) {
        if (connected.size() >= maxClients) {
            clients.refused(channel);
            channel.close();
            return;
        }
        connected.add(channel);
        channel.closeFuture().addListener(closed -> connected.remove(channel));
        clients.accepted(channel);
    }

    /** The address actually bound (with the chosen port for tcp://host:0), or null when not listening. */
    public SocketAddress localAddress() {
        Channel channel = server;
        return channel == null ? null : channel.localAddress();
    }

    public ListenAddress address() {
        return address;
    }

    /** The clients connected now, framed or not yet. A live view; any thread. */
    public Set<Channel> clients() {
        return Collections.unmodifiableSet(connected);
    }

    /**
     * Closes the server socket first (no new client can slip in), then every client, with the close reason
     * {@value #LISTENER_CLOSED} where it has a {@link StreamPort}; removes the unix socket file. Idempotent.
     */
    @Override
    public void close() {
        Channel listening = server;
        server = null;
        if (listening != null) {
            await(listening.close());
            LOG.log(Level.INFO, "{0} transport stopped listening on {1}", kind, address);
        }
        for (Channel client : connected) {
            StreamPort port = client.pipeline().get(StreamPort.class);
            try {
                if (port != null) {
                    port.closeWith(LISTENER_CLOSED);
                } else {
                    client.close();
                }
            } catch (RejectedExecutionException loopGone) {
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

    /** Waits for a close unless on the loop itself (which would deadlock); a dead loop never completes it. */
    private static void await(ChannelFuture future) {
        if (!future.channel().eventLoop().inEventLoop()) {
            future.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
    }
}
