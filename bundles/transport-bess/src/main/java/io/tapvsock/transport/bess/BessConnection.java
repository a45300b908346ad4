package io.tapvsock.transport.bess;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import io.tapvsock.transport.common.fd.FdPort;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;

/**
 * One accepted bess client as a switch port: its SOCK_SEQPACKET fd sits in the network loop's own epoll set, read
 * and written as {@link FdPort} does, one message per frame. Network loop only, except {@link #close} and
 * {@link #portId}.
 *
 * <p>Reads use a buffer one byte longer than the frame limit: a message that fills it was longer than the limit
 * (the kernel cut it), which breaks the framing, so the connection is closed with reason "frame-too-long". A read
 * of 0 bytes is the end of the connection (an empty message would read the same; User Mode Linux never sends one).
 */
final class BessConnection extends FdPort {

    private static final System.Logger LOG = System.getLogger(BessConnection.class.getName());

    private final int maxFrameSize;
    private final FdFrameSink sink;
    /** Told once, on the loop, when this connection has closed (the listener takes clients again). */
    private final Runnable onClosed;

    /**
     * @param fd          an accepted, non-blocking SOCK_SEQPACKET socket; this connection closes it
     * @param description the port's description, "bess " + the listener URL
     */
    BessConnection(IoEventLoop loop, VirtualNetwork network, int fd, ByteBufAllocator alloc, LinkCounters counters,
            String description, int maxFrameSize, Runnable onClosed) {
        // The frame limit plus one byte, to tell a message at the limit from a longer one.
        super(loop, network, new FileDescriptor(fd), alloc, counters, description, maxFrameSize + 1);
        this.maxFrameSize = maxFrameSize;
        this.onClosed = onClosed;
        this.sink = new FdFrameSink(fd(), alloc, counters, this::waitForWritable, description, maxFrameSize);
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
            try {
                NetworkPort port = attach((IoRegistration) registered.getNow());
                if (port != null) {
                    LOG.log(Level.INFO, "{0}: client attached as port {1}", description, port.id());
                }
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, description + ": the network refused the client's port, closing it", e);
                closeWith("attach-failed");
            }
        });
    }

    @Override
    protected FdFrameSink sink() {
        return sink;
    }

    @Override
    protected String received(int length) {
        if (length > maxFrameSize) {
            LOG.log(Level.WARNING, "{0}: closing the client: a message longer than maxFrameSize {1}",
                    description, Integer.toString(maxFrameSize));
            return "frame-too-long";
        }
        counters.frameIn(length);
        deliver(takeFrame(0, length), false);
        return null;
    }

    /** Counts the close under "closes", closes the socket and tells the listener. */
    @Override
    protected void closed(String reason) {
        counters.count(BessTransportStatus.CLOSES, reason);
        try {
            fd().close();
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
}
