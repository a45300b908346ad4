package io.tapvsock.tap.forwarder;

import io.tapvsock.tap.ErrnoException;
import io.tapvsock.tap.TapDevice;
import io.tapvsock.tap.VnetHello;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Moves frames between a TAP and the daemon over an {@link Endpoint}'s stream (each frame behind the length
 * prefix of its {@link Framing}), and keeps doing so across connection losses: the TAP stays, and the connection
 * is retried every second (for stdio: URLs, the program is started again a second after it exits).
 *
 * <p>Two platform threads, each blocking: "tap-to-host" (started here, lives as long as the relay) reads a
 * frame from the TAP and writes prefix + frame in one write to the current connection, dropping frames while
 * there is none (and frames too long for the prefix); the thread that calls {@link #run()} connects, then reads
 * the stream and writes each frame to the TAP until the connection ends. A length prefix of 0 or over
 * {@link #MAX_FRAME} breaks the framing: the connection is closed with that reason logged, and a new one is made.
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
 * <p>The relay owns the TAP: {@link #close()} closes it and the connection, which wakes both threads.
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
    private final AtomicLong droppedWhileDisconnected = new AtomicLong();

    /** One connection and its mode. */
    private static final class Link {
        final Connection connection;
        /** The daemon answered: records carry the header both ways. Set by the relay thread only. */
        volatile boolean vnet;
        /** The daemon's MAC, from its answer: where the confirmation goes. */
        volatile byte[] daemonMac;
        /** tap-to-host sent the confirmation (its own field: only that thread writes to the connection). */
        boolean confirmed;

        Link(Connection connection) {
            this.connection = connection;
        }
    }

    /** The live connection, null between connections; tap-to-host writes to whatever it finds here. */
    private volatile Link current;
    /** Why tap-to-host gave up on the current connection (its write failed), for the "lost" log line. */
    private volatile String writeFailure;
    private volatile IOException tapFailure;

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
                writeFailure = null;
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
                    onConnected.run();
                    reason = hostToTap(link);
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
            joinUninterruptibly(tapToHost);
        }
        IOException failure = tapFailure;
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A new connection in plain mode: the TAP's offload features off (a reconnect starts over), then the hello
     * request, before tap-to-host may write anything.
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
     * Reads the stream and writes its frames to the TAP; returns why the connection ended.
     *
     * <p>The stream is read into {@code in}, which starts {@code headroom} bytes into its buffer: every frame
     * then has at least {@link #HEADER} bytes in front of it (its prefix, and the frame before it or the
     * headroom, all consumed), where plain mode writes the empty header, so header and frame go to the TAP in
     * one write without a copy.
     */
    private String hostToTap(Link link) {
        ByteBuffer backing = ByteBuffer.allocateDirect(headroom + RECEIVE_BUFFER);
        ByteBuffer in = backing.slice(headroom, RECEIVE_BUFFER);
        try {
            while (true) {
                if (link.connection.read(in) < 0) {
                    String failure = writeFailure; // tap-to-host's failed write closed it
                    return failure != null ? failure : link.connection.endOfStream();
                }
                String framingError = framesToTap(link, backing, in);
                if (framingError != null) {
                    return framingError;
                }
            }
        } catch (ClosedChannelException e) {
            String failure = writeFailure;
            return failure != null ? failure : "closed";
        } catch (IOException e) {
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
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
        link.vnet = true; // before the features: tap-to-host must never take an offloaded frame for a plain one
        tap.setOffload(true);
        log.info("the daemon takes virtio-net headers: checksum and TSO4 offload on for " + tap.name());
    }

    private void tapToHost() {
        // The prefix, the header the TAP puts first, the largest frame. Plain mode overwrites the header's last
        // four bytes with the prefix and sends from there.
        ByteBuffer out = ByteBuffer.allocateDirect(QEMU_PREFIX + HEADER + MAX_FRAME);
        int header = vnetHeader ? HEADER : 0;
        while (!isClosed()) {
            out.clear().position(QEMU_PREFIX);
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
            frameFromTap(out, length, header);
        }
    }

    /**
     * Sends the frame (or vnet record) of {@code length} bytes read at {@link #QEMU_PREFIX} in {@code out} to the
     * current connection, or drops it. Called per frame, so that the JIT compiles it early (see framesToTap).
     */
    private void frameFromTap(ByteBuffer out, int length, int header) {
        Link link = current;
        if (link == null) {
            long dropped = droppedWhileDisconnected.incrementAndGet();
            if (log.isLoggable(Level.FINE) && length >= header) {
                log.fine("not connected: dropped frame " + dropped + ", "
                        + FrameSummary.describe(out, QEMU_PREFIX + header, length - header));
            }
            return;
        }
        if (length <= header) {
            log.fine("runt of " + length + " bytes from " + tap.name() + " dropped");
            return;
        }
        if (length - header > framing.maxLength()) {
            // Only a misconfigured MTU makes these: the 2-byte prefix cannot state the length.
            log.fine("frame of " + (length - header) + " bytes dropped: longer than the framing allows");
            return;
        }
        boolean vnet = header > 0 && link.vnet;
        if (header > 0 && !vnet
                && ((out.get(QEMU_PREFIX) & NEEDS_CSUM) != 0 || out.get(QEMU_PREFIX + 1) != GSO_NONE)) {
            // Queued before the features went off (a reconnect): plain mode cannot carry it.
            log.fine("offloaded frame dropped: the connection is in plain mode");
            return;
        }
        if (log.isLoggable(Level.FINE)) {
            log.fine("tap > host " + (vnet ? "(vnet) " : "")
                    + FrameSummary.describe(out, QEMU_PREFIX + header, length - header));
        }
        // The frame (or vnet record) was read at QEMU_PREFIX; its prefix goes right in front of what is sent.
        int body = vnet ? QEMU_PREFIX : QEMU_PREFIX + header;
        framing.writeLength(out, body - prefix, QEMU_PREFIX + length - body);
        out.limit(QEMU_PREFIX + length).position(body - prefix);
        send(link, out);
    }

    /** Writes prefix + frame (after the confirmation hello, the first time in vnet mode); tap-to-host only. */
    private void send(Link link, ByteBuffer out) {
        try {
            if (link.vnet && !link.confirmed) {
                ByteBuffer confirm = ByteBuffer.allocate(QEMU_PREFIX + VnetHello.LENGTH).putInt(VnetHello.LENGTH)
                        .put(VnetHello.to(link.daemonMac, mac)).flip();
                link.connection.write(confirm);
                link.confirmed = true;
            }
            link.connection.write(out);
        } catch (IOException e) {
            // The relay thread sees the closed connection and reconnects; this says why.
            writeFailure = "write failed: " + (e.getMessage() != null ? e.getMessage() : e.toString());
            link.connection.close();
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

    /** Stops relaying: closes the connection and the TAP, waking both threads. Idempotent. */
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
