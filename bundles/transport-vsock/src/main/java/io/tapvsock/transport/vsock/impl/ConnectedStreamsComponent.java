package io.tapvsock.transport.vsock.impl;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.stream.AlreadyRead;
import java.io.IOException;
import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@link FrameStreams} on the network loop: the sockets of the http bundle's {@code POST /connect} become
 * hyperkit-framed switch ports (2-byte little-endian length + frame), as many at once as clients connect, each
 * an ordinary Netty channel adopted from the fd. Counted as {@code connectedStreams}, closes by reason with the
 * rest of the vsock transport.
 */
@Component(service = FrameStreams.class)
public final class ConnectedStreamsComponent implements FrameStreams {

    private static final System.Logger LOG = System.getLogger(ConnectedStreamsComponent.class.getName());

    private final VirtualNetwork network;
    private final VsockTransportStatus status;

    @Activate
    public ConnectedStreamsComponent(@Reference VirtualNetwork network, @Reference VsockTransportStatus status) {
        this.network = network;
        this.status = status;
    }

    /** @param alreadyRead transferred: callee releases */
    @Override
    public void adopt(int fd, boolean unixDomain, ByteBuf alreadyRead, String description) throws IOException {
        Channel channel;
        try {
            channel = unixDomain ? new EpollDomainSocketChannel(fd) : new EpollSocketChannel(fd);
        } catch (RuntimeException e) {
            alreadyRead.release();
            new FileDescriptor(fd).close();
            throw new IOException("cannot adopt fd " + fd + ": " + e.getMessage(), e);
        }
        attach(channel, alreadyRead, description);
    }

    /**
     * Puts the hyperkit pipeline on {@code channel}, feeds it {@code alreadyRead} first, and registers it on the
     * network loop (unless it already is there; a channel of another loop is refused and closed). Any thread.
     *
     * @param alreadyRead transferred: callee releases (also when this throws)
     */
    void attach(Channel channel, ByteBuf alreadyRead, String description) {
        EventLoop loop = network.eventLoop();
        if (channel.isRegistered() && channel.eventLoop() != loop) {
            alreadyRead.release();
            channel.close();
            throw new IllegalArgumentException(description + ": the channel is registered on another event loop"
                    + " than the network loop");
        }
        status.counters().increment(VsockTransportStatus.CONNECTED_STREAMS);
        if (channel.isRegistered()) {
            loop.execute(() -> install(channel, alreadyRead, description));
            return;
        }
        install(channel, alreadyRead, description);
        loop.register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                LOG.log(Level.WARNING, "{0}: cannot register the stream: {1}", description, registered.cause());
                channel.unsafe().closeForcibly();
            }
        });
    }

    /** Before registration any thread; after it, the network loop. */
    private void install(Channel channel, ByteBuf alreadyRead, String description) {
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, VpnkitListener.WATER_MARK);
        channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, VpnkitListener.READ_SIZES);
        HyperkitStream.addTo(channel.pipeline(), network, description, HyperkitStream.MAX_FRAME_SIZE,
                status.counters());
        // Added after the decoder and the port, first in line: on an active channel it passes the bytes on at once.
        channel.pipeline().addFirst(new AlreadyRead(alreadyRead));
    }
}
