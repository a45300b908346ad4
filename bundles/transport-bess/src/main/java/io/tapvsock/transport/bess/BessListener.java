package io.tapvsock.transport.bess;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One bess transport listener (gvproxy's {@code -listen-bess unixpacket:///path}): a SOCK_SEQPACKET socket bound
 * to a path, its fd in the network loop's own epoll set as an {@link EpollIoHandle}. It takes one client at a
 * time, like gvproxy; a second is accepted and closed at once, logged and counted. Each client becomes a switch
 * port ({@link BessConnection}) for as long as its connection lasts. Plain Java: the DS component only builds
 * and closes it. Network loop only, except {@link #start}, {@link #close} and {@link #describe}.
 */
public final class BessListener implements EpollIoHandle {

    private static final System.Logger LOG = System.getLogger(BessListener.class.getName());
    private static final int BACKLOG = 16;
    private static final long SETUP_TIMEOUT_SECONDS = 30;

    private final VirtualNetwork network;
    private final BessAddress address;
    private final int maxFrameSize;
    private final LinkCounters counters;
    private final ByteBufAllocator alloc;
    private IoEventLoop loop;
    private FileDescriptor fd;
    private IoRegistration registration;
    private boolean closed;
    private boolean acceptErrorLogged;
    /** The connected client, if any. Written on the network loop, read by the shell. */
    private volatile BessConnection client;

    /** @param maxFrameSize the largest frame taken or sent; a longer message from the client closes it */
    public BessListener(VirtualNetwork network, BessAddress address, int maxFrameSize, LinkCounters counters,
            ByteBufAllocator alloc) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.network = network;
        this.address = address;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
        this.alloc = alloc;
    }

    /**
     * Binds and listens, then joins the network loop's epoll set; waits for the loop, so call it off the loop.
     *
     * @throws IOException when the socket path already exists or a step fails; the message names the address
     */
    public void start() throws IOException {
        EventLoop networkLoop = network.eventLoop();
        if (!(networkLoop instanceof IoEventLoop ioLoop) || !ioLoop.isCompatible(BessListener.class)) {
            throw new IOException("the bess transport needs the network loop on Netty's epoll transport, and this "
                    + "one is " + networkLoop.getClass().getName() + " (is netty-transport-native-epoll installed?)");
        }
        // Upstream refuses an existing path rather than deleting what may be another daemon's socket.
        if (Files.exists(address.path(), LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("refusing to listen on " + address + ": " + address.path()
                    + " already exists (remove it first)");
        }
        try {
            fd = new FileDescriptor(SeqpacketSocket.listen(address.path(), BACKLOG));
        } catch (IOException e) {
            throw new IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
        loop = ioLoop; // from here on the socket file is ours, and close() removes it
        try {
            registration = loop.register(this).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            registration.submit(EpollIoOps.EPOLLIN);
        } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
            close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException(address + ": joining the network loop failed: " + cause, cause);
        }
        LOG.log(Level.INFO, "bess transport listening on {0}", address);
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** EPOLLIN on the listening socket: takes every pending client. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        while (!closed) {
            int accepted;
            try {
                accepted = SeqpacketSocket.accept(fd.intValue());
            } catch (IOException e) {
                // Out of descriptors, most likely: the client stays queued and is tried again on the next turn.
                counters.count(BessTransportStatus.ACCEPT_ERRORS, "accept-failed");
                if (!acceptErrorLogged) {
                    acceptErrorLogged = true;
                    LOG.log(Level.ERROR, "{0}: cannot accept clients (logged once): {1}", address, e.getMessage());
                }
                return;
            }
            if (accepted < 0) {
                return;
            }
            accept(accepted);
        }
    }

    /** The connection of a new client, or its refusal while another client is connected. */
    private void accept(int accepted) {
        if (client != null) {
            counters.increment(BessTransportStatus.CLIENTS_REFUSED);
            LOG.log(Level.WARNING, "{0}: refusing a client: a client is already connected (one at a time)", address);
            SeqpacketSocket.close(accepted);
            return;
        }
        counters.increment(BessTransportStatus.CLIENTS_ACCEPTED);
        BessConnection[] connection = new BessConnection[1];
        connection[0] = new BessConnection(loop, network, accepted, alloc, counters, "bess " + address, maxFrameSize,
                () -> {
                    if (client == connection[0]) {
                        client = null;
                    }
                });
        client = connection[0];
        connection[0].start();
    }

    public BessAddress address() {
        return address;
    }

    /** One line for the shell: the URL, and the client's port, if any. */
    public String describe() {
        BessConnection connected = client;
        if (connected == null) {
            return "bess " + address + "  no client";
        }
        int portId = connected.portId();
        return "bess " + address + "  client" + (portId < 0 ? "" : "  port " + portId);
    }

    /**
     * Stops listening first (no new client can slip in), then ends the client, then removes the socket file.
     * Any thread; idempotent. Netty also calls it when the loop shuts down.
     */
    @Override
    public void close() {
        if (loop == null) {
            return;
        }
        if (loop.inEventLoop()) {
            closeOnLoop();
        } else {
            try {
                loop.submit(this::closeOnLoop).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
                // The loop is gone or stuck: its shutdown closes the handles; the socket file is still ours.
                LOG.log(Level.DEBUG, "{0}: closing off the loop: {1}", address, e.toString());
                removeSocketFile();
            }
        }
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        try {
            fd.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0}: close: {1}", address, e.getMessage());
        }
        BessConnection connected = client;
        if (connected != null) {
            connected.closeWith("listener-closed");
        }
        removeSocketFile();
        LOG.log(Level.INFO, "bess transport stopped listening on {0}", address);
    }

    private void removeSocketFile() {
        try {
            Files.deleteIfExists(address.path());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "{0}: cannot remove the socket file: {1}", address, e.toString());
        }
    }
}
