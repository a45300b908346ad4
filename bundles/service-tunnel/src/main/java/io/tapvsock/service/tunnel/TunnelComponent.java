package io.tapvsock.service.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.StatsSource;
import io.tapvsock.api.TunnelStreams;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * gvproxy's {@code POST /tunnel?ip=&port=} (compat.md section 4): the http bundle hands each such connection's
 * socket here ({@link TunnelStreams}); it becomes a Netty channel on the network loop, and a
 * {@link TunnelOpener} makes it a TCP stream to the guest's port. Counted as "service-tunnel" in /stats. A thin
 * adapter: the channels of open tunnels close when it stops.
 */
@Component(service = {TunnelStreams.class, StatsSource.class}, property = StatsSource.NAME + "=service-tunnel")
public final class TunnelComponent implements TunnelStreams, StatsSource {

    private static final System.Logger LOG = System.getLogger(TunnelComponent.class.getName());

    private final VirtualNetwork network;
    private final TunnelContext context;

    @Activate
    public TunnelComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "connector") GuestTcpConnector connector) {
        this.network = network;
        ChannelGroup channels = new DefaultChannelGroup("tunnels", network.eventLoop());
        context = new TunnelContext(connector, network::settings, new TunnelCounters(), channels);
    }

    @Deactivate
    void deactivate() {
        context.channels().close().awaitUninterruptibly();
    }

    /** @param alreadyRead transferred: callee releases */
    @Override
    public void adopt(int fd, boolean unixDomain, String requestTarget, ByteBuf alreadyRead, String description)
            throws IOException {
        Channel client;
        try {
            client = unixDomain ? new EpollDomainSocketChannel(fd) : new EpollSocketChannel(fd);
        } catch (RuntimeException e) {
            alreadyRead.release();
            new FileDescriptor(fd).close();
            throw new IOException("cannot adopt fd " + fd + ": " + e.getMessage(), e);
        }
        open(client, requestTarget, alreadyRead, description);
    }

    /**
     * Registers {@code client}, an unregistered connected channel, on the network loop with a {@link TunnelOpener}.
     * Any thread.
     *
     * @param alreadyRead transferred: callee releases
     */
    void open(Channel client, String requestTarget, ByteBuf alreadyRead, String description) {
        client.config().setAutoRead(false);
        TunnelOpener opener = new TunnelOpener(context, requestTarget, alreadyRead, description);
        client.pipeline().addLast("opener", opener);
        network.eventLoop().register(client).addListener(registered -> {
            if (!registered.isSuccess()) {
                LOG.log(Level.WARNING, "{0}: cannot register the tunnel''s connection: {1}", description,
                        registered.cause());
                client.unsafe().closeForcibly();
                opener.release();
            }
        });
    }

    @Override
    public Map<String, Object> snapshot() {
        return context.counters().snapshot();
    }
}
