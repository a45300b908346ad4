package io.tapvsock.transport.bess;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;

/**
 * One accepted bess client as a switch port. Its SOCK_SEQPACKET fd sits in the network loop's own epoll set as an
 * {@link EpollIoHandle}: on EPOLLIN every ready message (up to a budget; the registration is level-triggered, so
 * the rest comes on the next loop turn) is read into a pooled direct buffer and handed to the port as one frame,
 * then the port hears the end of the burst. Network loop only, except {@link #close} and {@link #portId}.
 *
 * <p>Reads use a buffer one byte longer than the frame limit: a message that fills it was longer than the limit
 * (the kernel cut it), which breaks the framing, so the connection is closed with reason "frame-too-long". A read
 * of 0 bytes is the end of the connection (an empty message would read the same; User Mode Linux never sends one).
 */
final class BessConnection implements EpollIoHandle {

    private static final System.Logger LOG = System.getLogger(BessConnection.class.getName());
    /** Messages per EPOLLIN before the loop serves others; what is left is read on its next turn. */
    private static final int READ_BUDGET = 128;

    private final IoEventLoop loop;
    private final VirtualNetwork network;
    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final LinkCounters counters;
    private final String description;
    private final int maxFrameSize;
    /** The frame limit plus one byte, to tell a message at the limit from a longer one. */
    private final int readCapacity;
    private final BessFrameSink sink;
    /** Told once, on the loop, when this connection has closed (the listener takes clients again). */
    private final Runnable onClosed;
    private IoRegistration registration;
    private NetworkPort port;
    /** The buffer the next message is read into; kept across reads when the last frame was copied out of it. */
    private ByteBuf spare;
    private boolean closed;
    /** The port's id for the shell's listing (NetworkPort itself is loop-only); -1 while detached. */
    private volatile int portId = -1;

    /**
     * @param fd          an accepted, non-blocking SOCK_SEQPACKET socket; this connection closes it
     * @param description the port's description, "bess " + the listener URL
     */
    BessConnection(IoEventLoop loop, VirtualNetwork network, int fd, ByteBufAllocator alloc, LinkCounters counters,
            String description, int maxFrameSize, Runnable onClosed) {
        this.loop = loop;
        this.network = network;
        this.fd = new FileDescriptor(fd);
        this.alloc = alloc;
        this.counters = counters;
        this.description = description;
        this.maxFrameSize = maxFrameSize;
        this.readCapacity = maxFrameSize + 1;
        this.onClosed = onClosed;
        this.sink = new BessFrameSink(this.fd, alloc, counters, this::waitForWritable, description, maxFrameSize);
    }

    /** On the loop: joins the epoll set, then the switch, then starts reading. */
    void start() {
        loop.register(this).addListener(registered -> {
            if (!registered.isSuccess()) {
                LOG.log(Level.ERROR, "{0}: cannot add the client to the network loop: {1}", description,
                        registered.cause());
                closeWith("register-failed");
                return;
            }
            registration = (IoRegistration) registered.getNow();
            attach();
        });
    }

    private void attach() {
        if (closed) {
            registration.cancel();
            return;
        }
        try {
            port = network.attach(sink, description);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, description + ": the network refused the client's port, closing it", e);
            closeWith("attach-failed");
            return;
        }
        portId = port.id();
        registration.submit(EpollIoOps.EPOLLIN);
        LOG.log(Level.INFO, "{0}: client attached as port {1}", description, port.id());
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed || port == null) {
            return;
        }
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            sink.writable();
        }
        // Anything besides EPOLLOUT (EPOLLIN, EPOLLRDHUP, EPOLLHUP, EPOLLERR) is answered by reading: a message,
        // the end of the connection, or the error.
        if (!closed && (ops.value() & ~EpollIoOps.EPOLLOUT.value()) != 0) {
            readBurst();
        }
    }

    private void readBurst() {
        int frames = 0;
        String endReason = null;
        try {
            while (frames < READ_BUDGET) {
                if (spare == null) {
                    spare = alloc.directBuffer(readCapacity, readCapacity);
                }
                int length = read(spare);
                if (length == 0) {
                    break; // EAGAIN: everything ready has been read
                }
                if (length < 0) {
                    endReason = "peer-closed";
                    break;
                }
                if (length > maxFrameSize) {
                    LOG.log(Level.WARNING, "{0}: closing the client: a message longer than maxFrameSize {1}",
                            description, Integer.toString(maxFrameSize));
                    endReason = "frame-too-long";
                    break;
                }
                frames++;
                counters.frameIn(length);
                deliver(takeFrame(length));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: reading from the client failed: {1}", description, e.getMessage());
            endReason = "read-error";
        }
        if (frames > 0 && port != null) {
            port.endOfBurst();
        }
        if (endReason != null) {
            closeWith(endReason);
        }
    }

    /**
     * The frame just read into {@link #spare}: a small one is copied into a buffer of its size so the big one is
     * reused (an ACK must not pin a 64 KiB buffer while the stack holds it); a big one is handed over whole.
     *
     * @return transferred: the caller hands it on
     */
    private ByteBuf takeFrame(int length) {
        if (length <= readCapacity / 4) {
            ByteBuf copy = alloc.directBuffer(length, length);
            copy.writeBytes(spare, 0, length);
            return copy;
        }
        ByteBuf frame = spare.setIndex(0, length);
        spare = null;
        return frame;
    }

    /** @param frame transferred: the port releases it */
    private void deliver(ByteBuf frame) {
        try {
            port.receive(frame);
        } catch (RuntimeException e) {
            // The stack owns the frame now; a throw here is its bug, not the guest's: keep the link up.
            counters.stackError();
            LOG.log(Level.ERROR, description + ": the network failed on a frame", e);
        }
    }

    /** @return the message's length, 0 when none is ready, -1 at the end of the connection */
    private int read(ByteBuf buffer) throws IOException {
        if (buffer.hasMemoryAddress()) {
            return fd.readAddress(buffer.memoryAddress(), 0, readCapacity);
        }
        ByteBuffer nio = buffer.internalNioBuffer(0, readCapacity);
        return fd.read(nio, nio.position(), nio.limit());
    }

    private void waitForWritable(boolean wait) {
        if (!closed) {
            registration.submit(wait ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
        }
    }

    /**
     * On the loop: ends the connection for {@code reason} (counted under "closes"): the port leaves the switch,
     * the fd leaves the epoll set and is closed, the listener hears of it. Idempotent.
     */
    void closeWith(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        counters.count(BessTransportStatus.CLOSES, reason);
        sink.close();
        if (registration != null) {
            registration.cancel();
        }
        if (port != null) {
            NetworkPort leaving = port;
            port = null;
            portId = -1;
            leaving.detach();
            LOG.log(Level.INFO, "{0}: port {1} detached ({2})", description, leaving.id(), reason);
        } else {
            LOG.log(Level.INFO, "{0}: client closed ({1})", description, reason);
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        try {
            fd.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0}: close: {1}", description, e.getMessage());
        }
        onClosed.run();
    }

    /**
     * Netty calls this when the loop shuts down; the listener when it closes. Closes the connection as
     * "listener-closed" on the loop (from another thread: scheduled there; a loop that is gone no longer runs
     * it, and its shutdown closes the handle anyway).
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeWith("listener-closed");
            return;
        }
        try {
            loop.execute(() -> closeWith("listener-closed"));
        } catch (RejectedExecutionException loopGone) {
            // The loop has shut down, and its shutdown closes every registered handle itself.
            LOG.log(Level.DEBUG, "{0}: the network loop is gone", description);
        }
    }

    /** The switch port's id, -1 when detached. Any thread. */
    int portId() {
        return portId;
    }
}
