package io.tapvsock.service.sshforward.ssh;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.sshd.client.session.ClientSession;

/**
 * Keeps one SSH session to a target open: connects on its own thread, and when the guest is not up yet or the
 * session drops, connects again after a pause that starts at 1 s and doubles up to 8 s. An outage is logged once
 * when it starts (each failed attempt after that only at debug level) and once when it ends.
 */
public final class SshSessionKeeper implements AutoCloseable {

    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(8);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private static final System.Logger LOG = System.getLogger(SshSessionKeeper.class.getName());

    /** What the keeper reports; called on its thread. */
    public interface Events {
        /** A session is up (authenticated) and {@link #session()} returns it. */
        void sessionUp(ClientSession session);

        /** An attempt to open a session failed. */
        void sessionFailed(String reason);

        /** The session that was up ended. */
        void sessionDown();
    }

    private final String name;
    private final GuestSshClient client;
    private final Supplier<SshTarget> target;
    private final Events events;
    private final Thread thread;
    private final Object monitor = new Object();
    private volatile ClientSession session;
    private volatile String lastError = "";
    private volatile boolean closed;
    private boolean wakeUp;

    /**
     * @param name   names this keeper in the log (e.g. the forward's socket)
     * @param target read before each attempt (the device IP may have changed)
     */
    public SshSessionKeeper(String name, GuestSshClient client, Supplier<SshTarget> target, Events events) {
        this.name = name;
        this.client = client;
        this.target = target;
        this.events = events;
        this.thread = new Thread(this::run, "tapvsock-ssh-keeper " + name);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** The open session, or null while there is none. */
    public ClientSession session() {
        ClientSession current = session;
        return current != null && current.isOpen() && !current.isClosing() ? current : null;
    }

    /** Why the last attempt failed ("" when none did since the last session came up). */
    public String lastError() {
        return lastError;
    }

    /** A client is waiting: try now rather than at the end of the current pause. */
    public void wake() {
        synchronized (monitor) {
            wakeUp = true;
            monitor.notifyAll();
        }
    }

    private void run() {
        Duration pause = FIRST_RETRY;
        boolean outage = false;
        boolean everUp = false;
        while (!closed) {
            SshTarget to = target.get();
            ClientSession opened;
            try {
                opened = client.connect(to, CONNECT_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                lastError = reason(e);
                events.sessionFailed(lastError);
                if (!outage) {
                    outage = true;
                    LOG.log(everUp ? Level.WARNING : Level.INFO, name + ": no SSH session to " + to + " yet ("
                            + lastError + "); retrying every " + FIRST_RETRY.toSeconds() + ".." + MAX_RETRY.toSeconds()
                            + " s, logged again once it is up");
                } else {
                    LOG.log(Level.DEBUG, () -> name + ": SSH to " + to + ": " + lastError);
                }
                pause(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : pause.multipliedBy(2);
                continue;
            }
            if (closed) {
                opened.close(true);
                break;
            }
            LOG.log(Level.INFO, name + ": SSH session to " + to + " is up");
            outage = false;
            everUp = true;
            pause = FIRST_RETRY;
            lastError = "";
            session = opened;
            opened.addCloseFutureListener(ended -> wake());
            events.sessionUp(opened);
            awaitEnd(opened);
            session = null;
            events.sessionDown();
            if (closed) {
                // close() may have read no session: this thread let go of it first. Closing twice is harmless.
                opened.close(true);
            } else {
                outage = true;
                LOG.log(Level.WARNING, name + ": SSH session to " + to + " ended; reconnecting");
            }
        }
    }

    private void awaitEnd(ClientSession opened) {
        synchronized (monitor) {
            while (!closed && opened.isOpen() && !opened.isClosing()) {
                wakeUp = false;
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void pause(Duration pause) {
        long deadline = System.nanoTime() + pause.toNanos();
        synchronized (monitor) {
            long left;
            while (!closed && !wakeUp && (left = deadline - System.nanoTime()) > 0) {
                try {
                    monitor.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            wakeUp = false;
        }
    }

    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause
                && (cause.getMessage() == null || cause.getMessage().isBlank())) {
            cause = cause.getCause();
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /** Stops reconnecting and closes the session (its channels close with it). */
    @Override
    public void close() {
        closed = true;
        wake();
        thread.interrupt();
        ClientSession current = session;
        if (current != null) {
            current.close(true);
        }
        try {
            thread.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
