package io.tapvsock.transport.common.fd;

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

/**
 * A non-blocking file descriptor that carries one frame per read and per write (a TAP, a SOCK_SEQPACKET socket)
 * as one switch port. The fd sits in the network loop's own epoll set as an {@link EpollIoHandle}, so frames go
 * from the kernel to the stack with no thread hand-off: on EPOLLIN every ready frame (up to a budget; the
 * registration is level-triggered, so the rest comes on the next loop turn) is read into a pooled direct buffer
 * and handed to the subclass's {@link #received}, then the port hears the end of the burst. Frames toward the
 * guest go through the subclass's {@link FdFrameSink}, which asks for EPOLLOUT when the fd is full.
 *
 * <p>A subclass registers the port on the loop, calls {@link #attach} there, says what a read means in
 * {@link #received}, and closes the fd in {@link #closed}. Network loop only, except {@link #portId}.
 */
public abstract class FdPort implements EpollIoHandle {

    /** Frames per EPOLLIN before the loop serves others; what is left is read on its next turn. */
    private static final int READ_BUDGET = 128;

    protected final System.Logger log = System.getLogger(getClass().getName());
    protected final IoEventLoop loop;
    private final VirtualNetwork network;
    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    protected final LinkCounters counters;
    protected final String description;
    /** The most one read takes: the kernel truncates a frame that does not fit. */
    private final int readCapacity;
    private IoRegistration registration;
    private NetworkPort port;
    /** The buffer the next frame is read into; kept across reads when the last frame was copied out of it. */
    private ByteBuf spare;
    private boolean closed;
    /** The port's id for the shell's listing (NetworkPort itself is loop-only); -1 while detached. */
    private volatile int portId = -1;

    /**
     * @param fd           the non-blocking fd; {@link #closed} closes it
     * @param description  the port's description in the switch and the log
     * @param readCapacity the size of each read buffer
     */
    protected FdPort(IoEventLoop loop, VirtualNetwork network, FileDescriptor fd, ByteBufAllocator alloc,
            LinkCounters counters, String description, int readCapacity) {
        this.loop = loop;
        this.network = network;
        this.fd = fd;
        this.alloc = alloc;
        this.counters = counters;
        this.description = description;
        this.readCapacity = readCapacity;
    }

    /** The sink the switch sends to; built by the subclass with {@link #waitForWritable} as its interest. */
    protected abstract FdFrameSink sink();

    /**
     * Frame {@code length} bytes long (more than 0) was just read into {@link #spare()}: count it and
     * {@link #deliver} what {@link #takeFrame} gives, or drop it.
     *
     * @return null to go on reading, else the reason the port closes
     */
    protected abstract String received(int length);

    /**
     * Once, after the port left the switch and the epoll set: closes the fd and tells whoever waits for it.
     *
     * @param reason why, e.g. "peer-closed"
     */
    protected abstract void closed(String reason);

    /** Reading failed: the port closes. Logs it; a subclass may count it. @return the reason the port closes */
    protected String readFailed(IOException e) {
        log.log(Level.WARNING, "{0}: reading failed: {1}", description, e.getMessage());
        return "read-error";
    }

    /**
     * On the loop, once registered: joins the switch and starts reading (unless closed meanwhile).
     *
     * @return the port, or null when this closed first
     * @throws RuntimeException when the network refuses the port
     */
    protected final NetworkPort attach(IoRegistration registered) {
        registration = registered;
        if (closed) {
            registered.cancel();
            return null;
        }
        port = network.attach(sink(), description);
        portId = port.id();
        registered.submit(EpollIoOps.EPOLLIN);
        return port;
    }

    @Override
    public final FileDescriptor fd() {
        return fd;
    }

    @Override
    public final void handle(IoRegistration registration, IoEvent event) {
        if (closed || port == null) {
            return;
        }
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            sink().writable();
        }
        // Anything besides EPOLLOUT (EPOLLIN, EPOLLRDHUP, EPOLLHUP, EPOLLERR) is answered by reading: a frame,
        // the end of the connection, or the error (a TAP whose interface went away).
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
                // A read of 0 bytes is the end of the connection (Netty reports it as -1).
                endReason = length < 0 ? "peer-closed" : received(length);
                if (endReason != null) {
                    break;
                }
                frames++;
            }
        } catch (IOException e) {
            endReason = readFailed(e);
        }
        if (frames > 0 && port != null) {
            port.endOfBurst();
        }
        if (endReason != null) {
            closeWith(endReason);
        }
    }

    /** @return the frame's length, 0 when none is ready, -1 at the end of the connection */
    private int read(ByteBuf buffer) throws IOException {
        if (buffer.hasMemoryAddress()) {
            return fd.readAddress(buffer.memoryAddress(), 0, readCapacity);
        }
        ByteBuffer nio = buffer.internalNioBuffer(0, readCapacity);
        return fd.read(nio, nio.position(), nio.limit());
    }

    /** The buffer the last read went into, from index 0. Borrowed: not retained after return. */
    protected final ByteBuf spare() {
        return spare;
    }

    /**
     * The frame just read into {@link #spare()} at {@code offset}: a small one is copied into a buffer of its size
     * so the big one is reused (an ACK must not pin a 64 KiB buffer while the stack holds it); a big one is handed
     * over whole, its reader index at the frame.
     *
     * @return transferred: the caller hands it on
     */
    protected final ByteBuf takeFrame(int offset, int length) {
        if (length <= readCapacity / 4) {
            ByteBuf copy = alloc.directBuffer(length, length);
            copy.writeBytes(spare, offset, length);
            return copy;
        }
        ByteBuf frame = spare.setIndex(offset, offset + length);
        spare = null;
        return frame;
    }

    /**
     * @param frame     transferred: the port releases it
     * @param offloaded its checksum or segmentation work is left to the stack ({@link NetworkPort#receiveOffloaded})
     */
    protected final void deliver(ByteBuf frame, boolean offloaded) {
        try {
            if (offloaded) {
                port.receiveOffloaded(frame);
            } else {
                port.receive(frame);
            }
        } catch (RuntimeException e) {
            // The stack owns the frame now; a throw here is its bug, not the guest's: keep the link up.
            counters.stackError();
            log.log(Level.ERROR, description + ": the network failed on a frame", e);
        }
    }

    /** The sink's {@link FdFrameSink.WriteInterest}: EPOLLOUT on or off, EPOLLIN always. */
    protected final void waitForWritable(boolean wait) {
        if (!closed) {
            registration.submit(wait ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
        }
    }

    /**
     * On the loop: ends the port for {@code reason}: the sink drops what waits, the fd leaves the epoll set, the
     * port leaves the switch, then {@link #closed} closes the fd. Idempotent.
     */
    public final void closeWith(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        sink().close();
        if (registration != null) {
            registration.cancel();
        }
        if (port != null) {
            NetworkPort leaving = port;
            port = null;
            portId = -1;
            leaving.detach();
            log.log(Level.INFO, "{0}: port {1} detached ({2})", description, leaving.id(), reason);
        } else {
            log.log(Level.INFO, "{0}: closed ({1})", description, reason);
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        closed(reason);
    }

    /** The switch port's id, -1 when detached. Any thread. */
    public final int portId() {
        return portId;
    }
}
