package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The frame streams of gvproxy's {@code POST /connect}: the API endpoint hands over the socket, and it becomes a
 * switch port with hyperkit framing (2-byte little-endian length), on the network loop like any qemu client; as
 * many at once as clients connect. Counted with the qemu transport ({@code connectStreams}, and closes by reason).
 */
@Component(service = FrameStreams.class)
public final class ConnectStreamsComponent implements FrameStreams {

    private static final System.Logger LOG = System.getLogger(ConnectStreamsComponent.class.getName());
    /** The largest frame a 2-byte length can state. */
    static final int MAX_FRAME_SIZE = 65535;

    private final VirtualNetwork network;
    private final QemuTransportStatus status;

    @Activate
    public ConnectStreamsComponent(@Reference VirtualNetwork network, @Reference QemuTransportStatus status) {
        this.network = network;
        this.status = status;
    }

    @Override
    public void adopt(int fd, boolean unixDomain, ByteBuf alreadyRead, String description) throws IOException {
        Channel channel;
        try {
            channel = unixDomain ? new EpollDomainSocketChannel(fd) : new EpollSocketChannel(fd);
        } catch (RuntimeException e) {
            alreadyRead.release();
            QemuListener.closeFd(fd);
            throw new IOException("cannot adopt fd " + fd + ": " + e.getMessage(), e);
        }
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, QemuListener.WATER_MARK);
        channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, QemuListener.READ_SIZES);
        if (!unixDomain) {
            channel.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
        QemuFrameDecoder decoder = new QemuFrameDecoder(StreamFraming.HYPERKIT, MAX_FRAME_SIZE);
        channel.pipeline().addLast(new AlreadyRead(alreadyRead), decoder, new QemuConnection(network, description,
                StreamFraming.HYPERKIT, MAX_FRAME_SIZE, status.counters(), decoder, false, new byte[6]));
        status.counters().increment(QemuTransportStatus.CONNECT_STREAMS);
        network.eventLoop().register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                LOG.log(Level.WARNING, "{0}: cannot register the stream: {1}", description, registered.cause());
                channel.unsafe().closeForcibly();
            }
        });
    }
}
