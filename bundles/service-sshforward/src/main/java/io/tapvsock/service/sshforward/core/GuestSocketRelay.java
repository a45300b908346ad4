package io.tapvsock.service.sshforward.core;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.tapvsock.service.sshforward.ssh.GuestSshClient;
import io.tapvsock.service.sshforward.ssh.SshSessionKeeper;
import io.tapvsock.service.sshforward.ssh.SshTarget;
import io.tapvsock.service.sshforward.ssh.StreamLocalChannel;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Host connections carried to one unix socket in the guest, each as a {@code direct-streamlocal@openssh.com}
 * channel of one SSH session that all of them share ({@link SshSessionKeeper} keeps it up). A connection that
 * arrives while there is no session (the guest still boots, sshd restarts) is held, unread, until one is up, for at
 * most {@link #HOLD}; then it is closed. The session is made at {@link #start}, or at the first connection.
 */
public final class GuestSocketRelay {

    /** How long a connection waits for a session before it is closed. */
    static final Duration HOLD = Duration.ofSeconds(30);

    private static final System.Logger LOG = System.getLogger(GuestSocketRelay.class.getName());

    private final String name;
    private final String dest;
    private final EventLoop loop;
    private final SshForwardCounters counters;
    private final SshSessionKeeper keeper;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Connections waiting for a session. Only on the loop. */
    private final Set<Channel> waiting = new LinkedHashSet<>();

    /**
     * Makes no session yet: see {@link #start}.
     *
     * @param name   names the relay in the log (e.g. "forward /run/podman.sock")
     * @param dest   the socket path inside the guest
     * @param target read before each session attempt (the device IP may have changed)
     */
    public GuestSocketRelay(String name, String dest, EventLoop loop, GuestSshClient client,
            Supplier<SshTarget> target, SshForwardCounters counters) {
        this.name = name;
        this.dest = dest;
        this.loop = loop;
        this.counters = counters;
        this.keeper = new SshSessionKeeper(name, client, target, new KeeperEvents());
    }

    /** Starts making and keeping the session. Idempotent. */
    public void start() {
        if (started.compareAndSet(false, true)) {
            keeper.start();
        }
    }

    /** Is the SSH session up? */
    public boolean sessionUp() {
        return keeper.session() != null;
    }

    /** The session's state for the shell: "session up", or "no session" and why. */
    public String state() {
        return sessionUp() ? "session up"
                : "no session" + (keeper.lastError().isEmpty() ? "" : " (" + keeper.lastError() + ")");
    }

    /** Relays now, or holds the connection until a session is up; starts the session if it is not yet. */
    public void relay(Channel host) {
        counters.connections.increment();
        counters.activeConnections.increment();
        host.closeFuture().addListener(closed -> counters.activeConnections.decrement());
        start();
        long deadline = System.nanoTime() + HOLD.toNanos();
        if (loop.inEventLoop()) {
            serve(host, deadline); // at once: the relay's handler is in the pipeline before the host's next read
        } else {
            loop.execute(() -> serve(host, deadline));
        }
    }

    /** Closes held connections and the session (and with it every relayed connection). */
    public void close() {
        boolean wasStarted = started.getAndSet(true); // a relay() after this starts no session
        loop.execute(() -> {
            waiting.forEach(Channel::close);
            waiting.clear();
        });
        if (wasStarted) {
            keeper.close(); // a keeper never started has nothing to close (and its thread cannot be joined)
        }
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
        StreamLocalChannel.relay(session, dest, connection, counters.bytesToGuest, counters.bytesToHost)
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
                    LOG.log(Level.DEBUG, () -> name + ": guest refused " + dest + ": " + failure.getMessage());
                    connection.close();
                });
    }

    private void hold(Channel connection, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            counters.connectionFailures.increment();
            LOG.log(Level.DEBUG, () -> name + ": no SSH session within " + HOLD.toSeconds()
                    + " s, connection closed");
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
