package io.tapvsock.service.notification.core;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends notifications as gvproxy does: each one over a new connection to a unix stream socket that someone else
 * listens on, the JSON line written, the connection closed. {@link #send} only queues (bounded: a full queue
 * drops and counts); a thread of its own connects and writes, so a socket that is absent, or a listener that is
 * slow to accept, never holds up the caller (the network loop). A message that cannot be delivered is not
 * retried: the first failure after a success is logged, the rest of the outage only counted.
 */
public final class NotificationSender implements AutoCloseable {

    public static final int DEFAULT_QUEUE = 256;

    private static final System.Logger LOG = System.getLogger(NotificationSender.class.getName());

    private final Path socket;
    private final BlockingQueue<Notification> queue;
    private final Thread thread;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** Written by the sender thread only. */
    private boolean inOutage;
    private volatile boolean closed;

    public NotificationSender(Path socket, int queueLength) {
        this.socket = socket;
        this.queue = new ArrayBlockingQueue<>(queueLength);
        this.thread = Thread.ofPlatform().daemon().name("tapvsock-notification").start(this::run);
    }

    /** Queues one notification. Any thread; never blocks. */
    public void send(Notification notification) {
        if (closed || !queue.offer(notification)) {
            dropped.incrementAndGet();
            LOG.log(Level.DEBUG, "notification dropped (queue full or closed): {0}", notification);
        }
    }

    private void run() {
        while (!closed) {
            Notification next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            deliver(next);
        }
    }

    private void deliver(Notification notification) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer bytes = ByteBuffer.wrap(notification.json().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            sent.incrementAndGet();
            if (inOutage) {
                inOutage = false;
                LOG.log(Level.INFO, "notification socket {0} reachable again", socket);
            }
        } catch (IOException e) {
            failed.incrementAndGet();
            if (closed) {
                return; // interrupted by close
            }
            if (!inOutage) {
                inOutage = true;
                LOG.log(Level.WARNING, "cannot send notifications to " + socket + " (" + e.getMessage()
                        + "); " + notification.type().wireName + " and the next ones are lost until it listens");
            } else {
                LOG.log(Level.DEBUG, "notification {0} lost: {1}", notification.type().wireName, e.getMessage());
            }
        }
    }

    public Path socket() {
        return socket;
    }

    /** Counters for /stats under "Notification". Any thread. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("Socket", "unix://" + socket);
        snapshot.put("Sent", sent.get());
        snapshot.put("Failed", failed.get());
        snapshot.put("Dropped", dropped.get());
        return snapshot;
    }

    /** Stops the thread; what is still queued is dropped. A connect or write in progress is abandoned. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt(); // also closes a channel the thread is blocked on
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
