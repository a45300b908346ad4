package io.tapvsock.transport.vfkit;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.Socket;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;

/**
 * One vfkit listener (gvproxy's {@code -listen-vfkit unixgram:///path}): a unix datagram socket on the network
 * loop, one Ethernet frame per datagram, the peer learned from its first datagram (see {@link VfkitPeer}).
 * Socket buffers as gvproxy sets them: 1 MiB to send, 4 MiB to receive. Plain Java: the DS component only builds
 * and closes it.
 */
public final class VfkitListener implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(VfkitListener.class.getName());
    private static final int SEND_BUFFER = 1024 * 1024;
    private static final int RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final VirtualNetwork network;
    private final VfkitAddress address;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private volatile Channel channel;
    private VfkitPeer peer;

    public VfkitListener(VirtualNetwork network, String url, int maxFrameSize, LinkCounters counters) {
        if (maxFrameSize < 14) {
            throw new IllegalArgumentException("maxFrameSize must be at least an Ethernet header: " + maxFrameSize);
        }
        this.network = network;
        this.address = VfkitAddress.parse(url);
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
    }

    /**
     * Binds the socket; waits for the bind, so call it off the network loop.
     *
     * @throws IOException when the path exists, the loop is not epoll, or the bind fails; naming the address
     */
    public void start() throws IOException {
        if (Files.exists(address.path(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing to listen on " + address + ": " + address.path()
                    + " already exists (remove it first)");
        }
        EventLoop loop = network.eventLoop();
        if (!(loop instanceof IoEventLoop ioLoop) || !ioLoop.isCompatible(EpollIoHandle.class)) {
            throw new IOException("the vfkit transport needs the network loop on Netty's epoll transport");
        }
        peer = new VfkitPeer(network, address, maxFrameSize, counters);
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory(EpollDomainDatagramChannel::new)
                .option(ChannelOption.SO_SNDBUF, SEND_BUFFER)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                // One byte more than the largest frame: a datagram that fills the buffer was longer, and cut.
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxFrameSize + 1))
                .handler(peer);
        ChannelFuture bind = bootstrap.bind(new DomainSocketAddress(address.path().toString()))
                .awaitUninterruptibly();
        if (!bind.isSuccess()) {
            throw new IOException("cannot listen on " + address + ": " + bind.cause().getMessage(), bind.cause());
        }
        channel = bind.channel();
        setReceiveBuffer(channel);
        LOG.log(Level.INFO, "vfkit transport listening on {0}", address);
    }

    /** Netty's domain datagram config has no SO_RCVBUF option: set it on the socket (capped by net.core.rmem_max). */
    private void setReceiveBuffer(Channel bound) {
        try {
            ((Socket) ((EpollDomainDatagramChannel) bound).fd()).setReceiveBufferSize(RECEIVE_BUFFER);
        } catch (IOException | ClassCastException e) {
            LOG.log(Level.WARNING, "{0}: cannot set the receive buffer: {1}", address, e.toString());
        }
    }

    public String url() {
        return address.url();
    }

    /** One line for the shell. */
    public String describe() {
        VfkitPeer current = peer;
        return "vfkit " + address + "  " + (current == null ? "not started" : current.describe());
    }

    /** Closes the socket (detaching the peer's port) and removes the socket file. Idempotent. */
    @Override
    public void close() {
        Channel open = channel;
        channel = null;
        if (open != null) {
            ChannelFuture closed = open.close();
            if (!open.eventLoop().inEventLoop()) {
                closed.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
            }
            LOG.log(Level.INFO, "vfkit transport stopped listening on {0}", address);
            try {
                Files.deleteIfExists(address.path());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove {0}: {1}", address.path(), e.getMessage());
            }
        }
    }
}
