package io.tapvsock.service.forwarder.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.GuestUdpConnector;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.SshTunnels;
import io.tapvsock.service.forwarder.core.Forward;
import io.tapvsock.service.forwarder.core.ForwardException;
import io.tapvsock.service.forwarder.core.ForwardProtocol;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import io.tapvsock.service.forwarder.core.HostPort;
import io.tapvsock.service.forwarder.core.Listener;
import io.tapvsock.service.forwarder.core.ListenerFactory;
import io.tapvsock.service.forwarder.core.SshTunnelUrl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Host listeners as Netty server channels on the network loop (epoll where Netty's native code loads, as the
 * stack's own host sockets, else NIO without unix sockets). Accepted connections live on that loop too, so a
 * relay between a host socket and a guest connection is two channels on one thread. A udp forward is one
 * datagram channel on that loop, with its flows ({@link UdpForwardHandler}). A unix forward with an ssh-tunnel://
 * remote is the service-sshforward bundle's ({@link SshTunnels}).
 */
public final class NettyListeners implements ListenerFactory, AutoCloseable {

    private static final long BIND_TIMEOUT_SECONDS = 10;
    /** S_IFMT and S_IFSOCK of st_mode. */
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;
    /** The largest UDP payload: a host datagram is read whole (the stack drops what exceeds the guest's MTU). */
    private static final int MAX_DATAGRAM = 65_535;
    private static final Pattern NETTY_FAILURE = Pattern.compile(".*?failed(?: with error\\(-?\\d+\\))?: ");

    private static final String NO_NPIPE = "npipe forwarding needs Windows named pipes";

    private final EventLoop loop;
    private final RelayContext context;
    private final Supplier<SshTunnels> tunnels;
    private final boolean epoll = Epoll.isAvailable();

    /**
     * @param config read for every connection and flow: sourceFromGateway (guests see the gateway as the source,
     *               as with gvproxy) and the UDP flow limits
     * @param tunnels the SSH tunnels for ssh-tunnel:// remotes, null while the service-sshforward bundle is absent
     */
    public NettyListeners(EventLoop loop, GuestTcpConnector connector, GuestUdpConnector udpConnector,
            Supplier<NetworkSettings> settings, Supplier<ForwarderConfig> config, ForwarderCounters counters,
            Supplier<SshTunnels> tunnels) {
        this.loop = loop;
        this.tunnels = tunnels;
        ChannelGroup channels = new DefaultChannelGroup("tapvsock-forwards", loop);
        this.context = new RelayContext(connector, udpConnector, settings, config, counters, channels);
    }

    @Override
    public Listener open(ForwardProtocol protocol, Forward forward, InetSocketAddress guest) throws ForwardException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("forwards open off the network loop: they wait for the bind");
        }
        return switch (protocol) {
            case TCP -> bind(inetAddress("tcp", forward.local()), "tcp", forward.local(), guest,
                    epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
            case UNIX -> {
                if (!epoll) {
                    throw new ForwardException("unix forwarding needs Netty's native epoll transport");
                }
                yield bind(unixAddress(forward.local()), "unix", forward.local(), guest,
                        EpollServerDomainSocketChannel.class);
            }
            case UDP -> bindUdp(inetAddress("udp", forward.local()), forward.local(), guest);
            case NPIPE -> throw new ForwardException(NO_NPIPE);
        };
    }

    /** The SSH bundle listens itself (see {@link SshTunnels}); checks come first there. */
    @Override
    public Listener openSshTunnel(ForwardProtocol protocol, Forward forward, SshTunnelUrl url)
            throws ForwardException {
        if (protocol != ForwardProtocol.UNIX) {
            throw new ForwardException(protocol == ForwardProtocol.NPIPE ? NO_NPIPE
                    : "ssh-tunnel remotes are for unix forwards");
        }
        SshTunnels service = tunnels.get();
        if (service == null) {
            throw new ForwardException("ssh-tunnel remotes need the service-sshforward bundle, which is not running");
        }
        try {
            return service.open(Path.of(forward.local()), url.user(), url.sshd(), url.key(), url.socket())::close;
        } catch (IOException | IllegalArgumentException e) {
            throw new ForwardException("ssh-tunnel " + forward.remote() + ": " + e.getMessage(), e);
        }
    }

    /** Closes every forwarded connection (listeners are closed one by one by their forwards). */
    @Override
    public void close() {
        context.channels().close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    private Listener bind(SocketAddress address, String network, String local, InetSocketAddress guest,
            Class<? extends ServerChannel> channelClass) throws ForwardException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(loop).channel(channelClass)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false) // until the guest connection is up
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HostConnection(context, guest));
                    }
                });
        if (address instanceof InetSocketAddress) {
            bootstrap.option(ChannelOption.SO_REUSEADDR, true); // as Go's listeners: TIME-WAIT does not block a rebind
        }
        return awaitBind(bootstrap.bind(address), network, local);
    }

    /** No SO_REUSEADDR: on Linux it would let two UDP sockets share the port, and a taken port must fail. */
    private Listener bindUdp(InetSocketAddress address, String local, InetSocketAddress guest)
            throws ForwardException {
        Bootstrap bootstrap = new Bootstrap().group(loop)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new UdpForwardHandler(context, guest));
        return awaitBind(bootstrap.bind(address), "udp", local);
    }

    private static Listener awaitBind(ChannelFuture bind, String network, String local) throws ForwardException {
        if (!bind.awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            bind.channel().close();
            throw new ForwardException("listen " + network + " " + local + ": bind timed out");
        }
        if (!bind.isSuccess()) {
            throw new ForwardException("listen " + network + " " + local + ": bind: " + reason(bind.cause()),
                    bind.cause());
        }
        Channel server = bind.channel();
        return () -> server.close().awaitUninterruptibly(BIND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * "IP:PORT", ":PORT" (every address), "[v6]:PORT" or "name:PORT", as Go's net.Listen takes them.
     *
     * @param network "tcp" or "udp", for the error text
     */
    private static InetSocketAddress inetAddress(String network, String local) throws ForwardException {
        HostPort hostPort;
        int port;
        try {
            hostPort = HostPort.split(local);
            port = hostPort.portNumber("address " + local);
        } catch (IllegalArgumentException e) {
            throw new ForwardException("listen " + network + " " + local + ": " + e.getMessage());
        }
        if (hostPort.host().isEmpty()) {
            return new InetSocketAddress(port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(hostPort.host()), port);
        } catch (UnknownHostException e) {
            throw new ForwardException("listen " + network + " " + local + ": lookup " + hostPort.host()
                    + ": no such host");
        }
    }

    /** A stale socket file is replaced, as gvproxy does; any other file stays and the bind fails. */
    private static DomainSocketAddress unixAddress(String local) throws ForwardException {
        if (local.isEmpty()) {
            throw new ForwardException("listen unix: no socket path");
        }
        Path path = Path.of(local);
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                if ((mode & FILE_TYPE_MASK) != SOCKET_TYPE) {
                    throw new ForwardException("listen unix " + local + ": bind: address already in use (not a socket)");
                }
                Files.delete(path);
            }
        } catch (IOException | UnsupportedOperationException e) {
            throw new ForwardException("listen unix " + local + ": " + e.getMessage(), e);
        }
        return new DomainSocketAddress(path.toString());
    }

    /**
     * Netty's "bind(..) failed: Address already in use" (or "bind(..) failed with error(-98): Address already in
     * use", its datagram channels' text) as Go says it: "address already in use".
     */
    private static String reason(Throwable cause) {
        String message = String.valueOf(cause.getMessage());
        Matcher failed = NETTY_FAILURE.matcher(message);
        if (failed.lookingAt()) {
            message = message.substring(failed.end());
        }
        return message.isEmpty() ? message : message.substring(0, 1).toLowerCase(Locale.ROOT) + message.substring(1);
    }
}
