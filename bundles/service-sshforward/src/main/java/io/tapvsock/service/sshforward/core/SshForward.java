package io.tapvsock.service.sshforward.core;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import io.tapvsock.service.sshforward.ssh.SshSessionKeeper;
import io.tapvsock.service.sshforward.ssh.SshTarget;
import io.tapvsock.service.sshforward.ssh.StreamLocalChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.sshd.client.session.ClientSession;

/**
 * One gvproxy -forward-sock: a host unix socket (mode 0600) whose every connection becomes a
 * {@code direct-streamlocal@openssh.com} channel to {@code dest} in the guest, over one SSH session that all of
 * them share ({@link SshSessionKeeper} keeps it up). A connection that arrives while there is no session (the
 * guest still boots, sshd restarts) is held, unread, until one is up, for at most {@link #HOLD}; then it is
 * closed. The socket exists from the start, as gvproxy's does.
 */
public final class SshForward implements AutoCloseable {

    /** How long a connection waits for a session before it is closed. */
    static final Duration HOLD = Duration.ofSeconds(30);

    private static final System.Logger LOG = System.getLogger(SshForward.class.getName());

    private final SshForwardConfig config;
    private final EventLoop loop;
    private final SshForwardCounters counters;
    private final SshSessionKeeper keeper;
    /** Connections waiting for a session. Only on the loop. */
    private final Set<Channel> waiting = new LinkedHashSet<>();
    private final UnixSocketListener listener;

    /**
     * Listens at once and starts connecting. Off the loop (it waits for the bind).
     *
     * @param loop       the host socket's loop, of a group made with {@link #hostLoopHandler}
     *
     * @param sshAddress the guest's sshd (device IP, port 22), read before each connection attempt
     * @throws IOException naming the socket, when it cannot listen there
     */
    public SshForward(SshForwardConfig config, EventLoop loop, GuestSshClient client,
            Supplier<InetSocketAddress> sshAddress, SshForwardCounters counters) throws IOException {
        this.config = config;
        this.loop = loop;
        this.counters = counters;
        this.keeper = new SshSessionKeeper("forward " + config.socket(), client,
                () -> new SshTarget(sshAddress.get(), config.user(), config.identity()), new KeeperEvents());
        this.listener = UnixSocketListener.open(loop, config.socket(), new Accepted());
        keeper.start();
        LOG.log(Level.INFO, "forwarding " + config.socket() + " to " + config.dest() + " in the guest as "
                + config.user());
    }

    /**
     * The IoHandler for the loop of forwards' host sockets: epoll, with the workaround for half-closed connections
     * that {@link RearmingEpollIoHandler} describes (the network's own loop does not have it).
     */
    public static IoHandlerFactory hostLoopHandler() {
        return RearmingEpollIoHandler.newFactory();
    }

    public SshForwardConfig config() {
        return config;
    }

    /** Is the SSH session up? */
    public boolean sessionUp() {
        return keeper.session() != null;
    }

    /** One line for the shell: the socket, where it goes and the session's state. */
    public String describe() {
        String state = sessionUp() ? "session up"
                : "no session" + (keeper.lastError().isEmpty() ? "" : " (" + keeper.lastError() + ")");
        return config.socket() + " -> " + config.user() + "@guest:" + config.dest() + "  " + state;
    }

    /** Stops listening, closes held connections and the session (and with it every relayed connection). */
    @Override
    public void close() {
        listener.close();
        loop.execute(() -> {
            waiting.forEach(Channel::close);
            waiting.clear();
        });
        keeper.close();
    }

    /** On the loop: relay now, or hold until a session is up or the deadline passes. */
    private void serve(Channel connection, long deadlineNanos) {
        if (!connection.isActive()) {
            return;
        }
        ClientSession session = keeper.session();
        if (session == null) {
            hold(connection, deadlineNanos);
            return;
        }
        StreamLocalChannel.relay(session, config.dest(), connection, counters.bytesToGuest, counters.bytesToHost)
                .whenComplete((opened, failure) -> {
                    if (failure == null) {
                        return;
                    }
                    if (session.isClosing() || !session.isOpen()) {
                        // The session went while the channel opened: wait for the next one.
                        loop.execute(() -> serve(connection, deadlineNanos));
                        return;
                    }
                    counters.connectionFailures.increment();
                    LOG.log(Level.DEBUG, () -> "forward " + config.socket() + ": guest refused " + config.dest()
                            + ": " + failure.getMessage());
                    connection.close();
                });
    }

    private void hold(Channel connection, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            counters.connectionFailures.increment();
            LOG.log(Level.DEBUG, () -> "forward " + config.socket() + ": no SSH session within "
                    + HOLD.toSeconds() + " s, connection closed");
            connection.close();
            return;
        }
        if (waiting.add(connection)) {
            connection.closeFuture().addListener(closed -> loop.execute(() -> waiting.remove(connection)));
            loop.schedule(() -> {
                if (waiting.remove(connection)) {
                    hold(connection, deadlineNanos);
                }
            }, left, TimeUnit.NANOSECONDS);
        }
        keeper.wake();
    }

    /** Each accepted host connection (auto-read off until its channel is open). */
    private final class Accepted extends ChannelInboundHandlerAdapter {
        @Override
        public boolean isSharable() {
            return true;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel connection = ctx.channel();
            counters.connections.increment();
            counters.activeConnections.increment();
            connection.closeFuture().addListener(closed -> counters.activeConnections.decrement());
            ctx.pipeline().remove(this);
            serve(connection, System.nanoTime() + HOLD.toNanos());
        }
    }

    private final class KeeperEvents implements SshSessionKeeper.Events {
        @Override
        public void sessionUp(ClientSession session) {
            counters.sessions.increment();
            loop.execute(() -> {
                Set<Channel> held = new LinkedHashSet<>(waiting);
                waiting.clear();
                held.forEach(connection -> serve(connection, System.nanoTime() + HOLD.toNanos()));
            });
        }

        @Override
        public void sessionFailed(String reason) {
            counters.sessionFailures.increment();
        }

        @Override
        public void sessionDown() {
            // Open relays end with their session; new connections wait for the next one.
        }
    }
}
