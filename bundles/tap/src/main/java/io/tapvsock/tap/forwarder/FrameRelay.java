package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.ErrnoException;
import io.tapvsock.tap.TapDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves frames between a TAP and the daemon's qemu transport (4-byte big-endian length + frame), and keeps
 * doing so across connection losses: the TAP stays, and the connection is retried every second.
 *
 * <p>Two platform threads, each blocking: "tap-to-host" (started here, lives as long as the relay) reads a
 * frame from the TAP and writes prefix + frame in one write to the current connection, dropping frames while
 * there is none; the thread that calls {@link #run()} connects, then reads the stream and writes each frame to
 * the TAP until the connection ends. A length prefix of 0 or over {@link #MAX_FRAME} breaks the framing: the
 * connection is closed with that reason logged, and a new one is made.
 *
 * <p>The relay owns the TAP: {@link #close()} closes it and the connection, which wakes both threads.
 */
final class FrameRelay implements AutoCloseable {

    /** The largest frame accepted from the host: 64 KiB of IP plus Ethernet and VLAN headers. */
    static final int MAX_FRAME = 65550;
    private static final int PREFIX = 4;
    /** Room for several frames per read(2) at small MTUs, and always for one whole maximal frame. */
    private static final int RECEIVE_BUFFER = 256 * 1024;
    private static final long RETRY_SECONDS = 1;

    private final TapDevice tap;
    private final QemuEndpoint endpoint;
    private final Logger log;
    private final Runnable onConnected;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicLong droppedWhileDisconnected = new AtomicLong();

    /** The live connection, null between connections; tap-to-host writes to whatever it finds here. */
    private volatile SocketChannel current;
    /** Why tap-to-host gave up on the current connection (its write failed), for the "lost" log line. */
    private volatile String writeFailure;
    private volatile IOException tapFailure;

    /**
     * @param onConnected runs on the relay's thread after each successful connect (e.g. starts DHCP)
     */
    FrameRelay(TapDevice tap, QemuEndpoint endpoint, Logger log, Runnable onConnected) {
        this.tap = tap;
        this.endpoint = endpoint;
        this.log = log;
        this.onConnected = onConnected;
    }

    /**
     * Relays until {@link #close()} (then returns) or until the TAP fails (then throws why). Connects, relays,
     * and after a lost or refused connection waits a second and connects again; logs once per outage.
     */
    void run() throws IOException {
        Thread tapToHost = Thread.ofPlatform().name("tap-to-host").daemon(true).start(this::tapToHost);
        boolean outage = false;
        try {
            while (!isClosed()) {
                SocketChannel channel;
                try {
                    channel = endpoint.connect();
                } catch (IOException e) {
                    if (!outage) {
                        log.warning("cannot connect to " + endpoint + ": " + e.getMessage()
                                + "; retrying every second");
                        outage = true;
                    } else {
                        log.fine("connect to " + endpoint + " failed again: " + e.getMessage());
                    }
                    pause();
                    continue;
                }
                log.info((outage ? "reconnected to " : "connected to ") + endpoint);
                outage = false;
                writeFailure = null;
                current = channel;
                if (isClosed()) { // close() ran between connect and publishing the channel
                    closeQuietly(channel);
                    break;
                }
                onConnected.run();
                String reason = hostToTap(channel);
                current = null;
                closeQuietly(channel);
                if (isClosed()) {
                    break;
                }
                log.warning("connection to " + endpoint + " lost: " + reason + "; reconnecting every second");
                outage = true;
                pause();
            }
        } finally {
            close();
            joinUninterruptibly(tapToHost);
        }
        IOException failure = tapFailure;
        if (failure != null) {
            throw failure;
        }
    }

    /** Reads the stream and writes its frames to the TAP; returns why the connection ended. */
    private String hostToTap(SocketChannel channel) {
        ByteBuffer in = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
        try {
            while (true) {
                if (channel.read(in) < 0) {
                    return "closed by the host";
                }
                in.flip();
                while (in.remaining() >= PREFIX) {
                    long length = Integer.toUnsignedLong(in.getInt(in.position()));
                    if (length == 0 || length > MAX_FRAME) {
                        return "framing error: frame length " + length + " (accepted: 1.." + MAX_FRAME + ")";
                    }
                    if (in.remaining() < PREFIX + length) {
                        break; // the rest of this frame is still in flight
                    }
                    int start = in.position() + PREFIX;
                    int end = start + (int) length;
                    int limit = in.limit();
                    in.limit(end).position(start);
                    if (log.isLoggable(Level.FINE)) {
                        log.fine("host > tap " + FrameSummary.describe(in, start, (int) length));
                    }
                    try {
                        tap.write(in);
                    } catch (ErrnoException e) {
                        // One bad frame (e.g. a runt the kernel refuses) costs that frame only.
                        log.fine("frame dropped: " + e.getMessage());
                    }
                    in.limit(limit).position(end);
                }
                in.compact();
            }
        } catch (ClosedChannelException e) {
            String failure = writeFailure;
            return failure != null ? failure : "closed";
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    private void tapToHost() {
        ByteBuffer out = ByteBuffer.allocateDirect(PREFIX + MAX_FRAME);
        while (!isClosed()) {
            out.clear().position(PREFIX);
            int length;
            try {
                length = tap.read(out);
            } catch (IOException e) {
                if (!isClosed()) {
                    tapFailure = e;
                    log.severe("reading " + tap.name() + " failed: " + e.getMessage());
                    close();
                }
                return;
            }
            SocketChannel channel = current;
            if (channel == null) {
                long dropped = droppedWhileDisconnected.incrementAndGet();
                if (log.isLoggable(Level.FINE)) {
                    log.fine("not connected: dropped frame " + dropped + ", "
                            + FrameSummary.describe(out, PREFIX, length));
                }
                continue;
            }
            if (log.isLoggable(Level.FINE)) {
                log.fine("tap > host " + FrameSummary.describe(out, PREFIX, length));
            }
            out.putInt(0, length).flip();
            try {
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            } catch (IOException e) {
                // The relay thread sees the closed channel and reconnects; this says why.
                writeFailure = "write failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
                closeQuietly(channel);
            }
        }
    }

    private boolean isClosed() {
        return closed.getCount() == 0;
    }

    private void pause() {
        try {
            closed.await(RETRY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing left to do with it
        }
    }

    /** Stops relaying: closes the connection and the TAP, waking both threads. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        SocketChannel channel = current;
        if (channel != null) {
            closeQuietly(channel);
        }
        tap.close();
    }
}
