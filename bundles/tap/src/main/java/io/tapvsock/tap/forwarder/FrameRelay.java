package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.ErrnoException;
import io.tapvsock.tap.TapDevice;
import io.tapvsock.tap.VnetHello;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves frames between a TAP and the daemon over an {@link Endpoint}'s stream (each frame behind the length
 * prefix of its {@link Framing}), and keeps doing so across connection losses: the TAP stays, and the connection
 * is retried every second (for stdio: URLs, the program is started again a second after it exits).
 *
 * <p>One platform thread, the one that calls {@link #run()}, does everything: it connects, then reads frames from
 * the TAP and writes each as prefix + frame in one write to the connection, and reads the stream and writes each
 * of its frames to the TAP, with non-blocking calls both ways. With nothing to do it first keeps looking for a
 * moment ({@link AdaptiveSpin}, so that a request/response exchange finds it awake), then sleeps in one poll(2)
 * on the TAP and the connection's socket. While a frame is only partly written to the socket, the TAP is left
 * alone (its queue is the backpressure) and the stream is still read. Frames the TAP queued while there was no
 * connection are dropped when the next one starts, as are frames too long for the prefix. A length prefix of 0
 * or over {@link #MAX_FRAME} breaks the framing: the connection is closed with that reason logged, and a new one
 * is made.
 *
 * <p>With a TAP opened with a virtio-net header ({@link TapDevice#offload()}), each connection starts in plain
 * mode: the TAP's offload features off (so the guest's kernel sends complete frames and its header is empty),
 * the header stripped toward the host and an empty one put in front of each frame toward the TAP, and a
 * {@link VnetHello} request sent first (the TAP has the header only on the daemon's qemu transport, the one
 * endpoint that answers the hello). When the daemon answers, the relay switches that connection to vnet mode:
 * offload features on, and every record is the header plus the frame, relayed untouched both ways (one TAP read
 * is one record, one record one TAP write); its first record goes behind a confirmation hello. A reconnect
 * starts over in plain mode. Read the virtio spec v1.2, §5.1.6, for the header.
 *
 * <p>The relay owns the TAP: {@link #close()} closes it and the connection, which wakes the relay's thread.
 */
final class FrameRelay implements AutoCloseable {

    /** The largest frame accepted from the host: 64 KiB of IP plus Ethernet and VLAN headers. */
    static final int MAX_FRAME = 65550;
    /** QEMU framing's prefix: the vnet-mode hellos are QEMU frames. */
    private static final int QEMU_PREFIX = 4;
    private static final int HEADER = TapDevice.VNET_HEADER_LENGTH;
    /** virtio_net_hdr flags bit and gso_type: a frame the kernel left work on, which only vnet mode can carry. */
    private static final int NEEDS_CSUM = 1;
    private static final int GSO_NONE = 0;
    /** Room for several frames per read(2) at small MTUs, and always for one whole maximal frame. */
    private static final int RECEIVE_BUFFER = 256 * 1024;
    /** TAP frames taken per turn before the stream gets its turn again. */
    private static final int TAP_BATCH = 64;
    /**
     * How long the relay keeps looking after activity before it sleeps (see AdaptiveSpin). Longer than the
     * daemon's: the forwarder's waits span a whole round trip through the daemon to the host and back.
     */
    private static final long SPIN_NANOS = Long.getLong("tapvsock.forwarder.spinMicros", 300) * 1000;
    /**
     * poll(2) results of the socket that mean: read it (data, end of stream, an error to collect, or an fd closed
     * under the relay, which the read reports as closed).
     */
    private static final int SOCKET_FAILED = TapDevice.POLLHUP | TapDevice.POLLERR | TapDevice.POLLNVAL;
    private static final int SOCKET_READABLE = (TapDevice.POLLIN | SOCKET_FAILED) << 16;
    private static final int SOCKET_WRITABLE = (TapDevice.POLLOUT | SOCKET_FAILED) << 16;
    private static final int EVERYTHING = -1;
    private static final long RETRY_SECONDS = 1;

    private final TapDevice tap;
    private final Endpoint endpoint;
    private final Framing framing;
    private final Logger log;
    private final Runnable onConnected;
    /** The TAP puts a virtio-net header in front of every frame: the vnet-mode handshake is on. */
    private final boolean vnetHeader;
    /** The length of the prefix in front of each frame on the stream: 4 (QEMU) or 2 (hyperkit). */
    private final int prefix;
    /** The vnet-mode handshake: only on the qemu transport (QEMU framing), never on gvforwarder's URL forms. */
    private final boolean offerVnet;
    /** Bytes in front of the receive buffer's first frame beyond its prefix: room for an empty header. */
    private final int headroom;
    /** The TAP's MAC: the source of our hellos, and the destination of the daemon's answer. */
    private final byte[] mac;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AdaptiveSpin spin = new AdaptiveSpin(SPIN_NANOS);
    /** The stream from the daemon, read at {@link #in} (a slice {@link #headroom} bytes into it). */
    private final ByteBuffer inBacking;
    private final ByteBuffer in;
    /**
     * One TAP frame on its way to the daemon: the prefix, the header the TAP puts first, the largest frame. Plain
     * mode overwrites the header's last four bytes with the prefix and sends from there.
     */
    private final ByteBuffer out = ByteBuffer.allocateDirect(QEMU_PREFIX + HEADER + MAX_FRAME);
    private long droppedWhileDisconnected;

    /** One connection and its mode. */
    private static final class Link {
        final Connection connection;
        /** The daemon answered: records carry the header both ways. */
        boolean vnet;
        /** The daemon's MAC, from its answer: where the confirmation goes. */
        byte[] daemonMac;
        /** The confirmation went out, in front of the first record. */
        boolean confirmed;
        /** {@link #out} holds the rest of a frame the socket did not take in full. */
        boolean pending;

        Link(Connection connection) {
            this.connection = connection;
        }
    }

    /** The live connection, null between connections; close() closes it. */
    private volatile Link current;
    private IOException tapFailure;

    /**
     * @param onConnected runs on the relay's thread after each successful connect (e.g. starts DHCP)
     */
    FrameRelay(TapDevice tap, Endpoint endpoint, Logger log, Runnable onConnected) {
        this.tap = tap;
        this.endpoint = endpoint;
        this.log = log;
        this.onConnected = onConnected;
        this.vnetHeader = tap.offload();
        this.framing = endpoint.framing();
        this.prefix = framing.prefixLength();
        this.offerVnet = endpoint.offersVnet();
        this.headroom = Math.max(0, HEADER - prefix);
        this.mac = tap.mac();
        this.inBacking = ByteBuffer.allocateDirect(headroom + RECEIVE_BUFFER);
        this.in = inBacking.slice(headroom, RECEIVE_BUFFER);
    }

    /**
     * Relays until {@link #close()} (then returns) or until the TAP fails (then throws why). Connects, relays,
     * and after a lost or refused connection waits a second and connects again; logs once per outage.
     */
    void run() throws IOException {
        boolean outage = false;
        try {
            while (!isClosed()) {
                Connection connection;
                try {
                    connection = endpoint.connect();
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
                Link link = new Link(connection);
                String reason;
                try {
                    reason = vnetHeader ? startPlain(link) : null; // the TAP's offload off, hello if offered
                } catch (IOException e) {
                    connection.close();
                    if (isClosed()) {
                        break;
                    }
                    throw e; // the TAP refused TUNSETOFFLOAD: it is broken
                }
                if (reason == null) {
                    current = link;
                    if (isClosed()) { // close() ran between connect and publishing the connection
                        connection.close();
                        break;
                    }
                    reason = relay(link);
                }
                current = null;
                connection.close();
                if (isClosed()) {
                    break;
                }
                log.warning("connection to " + endpoint + " lost: " + reason + "; reconnecting every second");
                outage = true;
                pause();
            }
        } finally {
            close();
        }
        if (tapFailure != null) {
            throw tapFailure;
        }
    }

    /**
     * A new connection in plain mode: the TAP's offload features off (a reconnect starts over), then the hello
     * request, before any frame goes out.
     *
     * @return null, or why the connection is unusable
     */
    private String startPlain(Link link) throws IOException {
        tap.setOffload(false); // a failure here is the TAP's: run() ends
        if (!offerVnet) {
            return null; // only the qemu transport takes the hello: elsewhere the link stays plain
        }
        ByteBuffer request = ByteBuffer.allocate(QEMU_PREFIX + VnetHello.LENGTH).putInt(VnetHello.LENGTH)
                .put(VnetHello.request(mac)).flip();
        try {
            link.connection.write(request);
            return null;
        } catch (IOException e) {
            return "sending the hello failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    /**
     * Relays frames both ways over one connection; returns why it ended.
     *
     * <p>The stream is read into {@link #in}, which starts {@link #headroom} bytes into its buffer: every frame
     * then has at least {@link #HEADER} bytes in front of it (its prefix, and the frame before it or the
     * headroom, all consumed), where plain mode writes the empty header, so header and frame go to the TAP in
     * one write without a copy.
     */
    private String relay(Link link) {
        Connection connection = link.connection;
        int header = vnetHeader ? HEADER : 0;
        in.clear();
        try {
            dropQueuedFrames();
            onConnected.run(); // after the drop: the DHCP client's first request is not stale
            int ready = EVERYTHING;
            while (true) {
                boolean worked = false;
                if ((ready & SOCKET_READABLE) != 0) {
                    int read = connection.readNow(in);
                    if (read < 0) {
                        return connection.endOfStream();
                    }
                    if (read > 0) {
                        String framingError = framesToTap(link, inBacking, in);
                        if (framingError != null) {
                            return framingError;
                        }
                        worked = true;
                    }
                }
                if (link.pending && (ready & SOCKET_WRITABLE) != 0) {
                    worked |= connection.writeNow(out) > 0;
                    link.pending = out.hasRemaining();
                }
                if (!link.pending && (ready & TapDevice.TAP_READABLE) != 0) {
                    worked |= framesFromTap(link, header);
                }
                long now = System.nanoTime();
                if (worked) {
                    spin.active(now);
                    ready = EVERYTHING;
                } else {
                    ready = await(link, spin.keepSpinning(now));
                }
            }
        } catch (ClosedChannelException e) {
            return "closed";
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        } catch (TapFailure e) {
            tapFailure = e.getCause();
            log.severe("reading " + tap.name() + " failed: " + e.getCause().getMessage());
            close();
            return "the TAP failed";
        }
    }

    /** A TAP error that ends the relay (not just the connection): run() throws its cause. */
    private static final class TapFailure extends RuntimeException {
        TapFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /**
     * Polls the TAP (unless a frame is pending) and the socket: without waiting while spinning, else until one
     * is ready or close() wakes it.
     *
     * @return what is ready, as {@link TapDevice#poll} says; 0 when nothing is
     */
    private int await(Link link, boolean spinning) throws ClosedChannelException {
        short events = link.pending ? (short) (TapDevice.POLLIN | TapDevice.POLLOUT) : TapDevice.POLLIN;
        try {
            int ready = tap.poll(!link.pending, link.connection.pollFd(), events, spinning ? 0 : -1);
            if (spinning && ready == 0) {
                // Not a bare pause: on two cores the guest's own threads need this CPU, and sched_yield hands
                // it over at once when they are runnable (connection rate +15% over Thread.onSpinWait()).
                Thread.yield();
            }
            return ready;
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw new TapFailure(e);
        }
    }

    /** Frames the TAP queued while there was no connection: stale by now. */
    private void dropQueuedFrames() throws ClosedChannelException {
        while (readTap() >= 0) {
            droppedWhileDisconnected++;
            if (log.isLoggable(Level.FINE)) {
                log.fine("queued while not connected: dropped frame " + droppedWhileDisconnected);
            }
        }
    }

    /** One TAP frame read at {@link #QEMU_PREFIX} into {@link #out}, without waiting: its length, or -1. */
    private int readTap() throws ClosedChannelException {
        out.clear().position(QEMU_PREFIX);
        try {
            return tap.readNow(out);
        } catch (ClosedChannelException e) {
            throw e;
        } catch (IOException e) {
            throw new TapFailure(e);
        }
    }

    /**
     * Sends up to {@link #TAP_BATCH} queued TAP frames, stopping early at a frame the socket took only part of.
     * A method of its own, called per turn, so that the JIT compiles it early (see framesToTap).
     *
     * @return whether there was a frame
     */
    private boolean framesFromTap(Link link, int header) throws IOException {
        for (int i = 0; i < TAP_BATCH; i++) {
            int length = readTap();
            if (length < 0) {
                return i > 0;
            }
            if (frameFromTap(link, length, header)) {
                link.connection.writeNow(out);
                if (out.hasRemaining()) {
                    link.pending = true;
                    return true;
                }
            }
        }
        return true;
    }

    /**
     * Writes the whole frames read into {@code in} to the TAP and keeps the partial one for the next read. A
     * method of its own, called per read, so that the JIT compiles it early: a loop that never returns is only
     * compiled on-stack after tens of thousands of iterations, and until then every frame ran interpreted.
     *
     * @return null, or the framing error that ends the connection
     */
    private String framesToTap(Link link, ByteBuffer backing, ByteBuffer in) throws IOException {
        in.flip();
        while (in.remaining() >= prefix) {
            long length = framing.readLength(in, in.position());
            int header = link.vnet ? HEADER : 0;
            long max = Math.min(header + MAX_FRAME, framing.maxLength());
            if (length <= header || length > max) {
                return "framing error: " + (header > 0 ? "record" : "frame") + " length " + length
                        + " (accepted: " + (header + 1) + ".." + max + ")";
            }
            if (in.remaining() < prefix + length) {
                break; // the rest of this frame is still in flight
            }
            int start = in.position() + prefix;
            int end = start + (int) length;
            if (log.isLoggable(Level.FINE)) {
                log.fine("host > tap " + (header > 0 ? "(vnet) " : "")
                        + FrameSummary.describe(in, start + header, (int) length - header));
            }
            if (header == 0 && vnetHeader && offerVnet && VnetHello.isAnswerFor(in, start, (int) length, mac)) {
                enterVnetMode(link, VnetHello.source(in, start));
            } else {
                toTap(backing, headroom + start, headroom + end, header == 0 && vnetHeader);
            }
            in.position(end);
        }
        in.compact();
        return null;
    }

    /**
     * One frame (or vnet record) to the TAP: {@code buffer[start, end)}; with {@code emptyHeader}, a plain frame
     * that gets an empty virtio-net header written into the {@link #HEADER} bytes before it. One bad frame (e.g.
     * a runt, or a header the kernel refuses) costs that frame only.
     */
    private void toTap(ByteBuffer buffer, int start, int end, boolean emptyHeader) throws IOException {
        if (emptyHeader) {
            start -= HEADER;
            for (int i = start; i < start + HEADER; i++) {
                buffer.put(i, (byte) 0);
            }
        }
        buffer.limit(end).position(start);
        try {
            tap.write(buffer);
        } catch (ErrnoException e) {
            log.fine("frame dropped: " + e.getMessage());
        } finally {
            buffer.clear();
        }
    }

    /** The daemon answered our hello: records carry the header from now on, and the TAP may offload. */
    private void enterVnetMode(Link link, byte[] daemonMac) throws IOException {
        link.daemonMac = daemonMac;
        link.vnet = true; // before the features: an offloaded frame must never be taken for a plain one
        tap.setOffload(true);
        log.info("the daemon takes virtio-net headers: checksum and TSO4 offload on for " + tap.name());
    }

    /**
     * Makes the frame (or vnet record) of {@code length} bytes read at {@link #QEMU_PREFIX} in {@link #out} ready
     * to send: its prefix in front, {@link #out}'s position and limit around the two; or drops it.
     *
     * @return false when the frame was dropped
     */
    private boolean frameFromTap(Link link, int length, int header) throws IOException {
        if (length <= header) {
            log.fine("runt of " + length + " bytes from " + tap.name() + " dropped");
            return false;
        }
        if (length - header > framing.maxLength()) {
            // Only a misconfigured MTU makes these: the 2-byte prefix cannot state the length.
            log.fine("frame of " + (length - header) + " bytes dropped: longer than the framing allows");
            return false;
        }
        boolean vnet = header > 0 && link.vnet;
        if (header > 0 && !vnet
                && ((out.get(QEMU_PREFIX) & NEEDS_CSUM) != 0 || out.get(QEMU_PREFIX + 1) != GSO_NONE)) {
            // Queued before the features went off (a reconnect): plain mode cannot carry it.
            log.fine("offloaded frame dropped: the connection is in plain mode");
            return false;
        }
        if (log.isLoggable(Level.FINE)) {
            log.fine("tap > host " + (vnet ? "(vnet) " : "")
                    + FrameSummary.describe(out, QEMU_PREFIX + header, length - header));
        }
        if (vnet && !link.confirmed) {
            // Once per connection, right after the daemon's answer: a blocking write of a few bytes is fine.
            ByteBuffer confirm = ByteBuffer.allocateDirect(QEMU_PREFIX + VnetHello.LENGTH)
                    .putInt(VnetHello.LENGTH).put(VnetHello.to(link.daemonMac, mac)).flip();
            link.connection.write(confirm);
            link.confirmed = true;
        }
        // The frame (or vnet record) was read at QEMU_PREFIX; its prefix goes right in front of what is sent.
        int body = vnet ? QEMU_PREFIX : QEMU_PREFIX + header;
        framing.writeLength(out, body - prefix, QEMU_PREFIX + length - body);
        out.limit(QEMU_PREFIX + length).position(body - prefix);
        return true;
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

    /** Stops relaying: closes the connection and the TAP, waking the relay's thread. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        Link link = current;
        if (link != null) {
            link.connection.close();
        }
        tap.close();
    }
}
