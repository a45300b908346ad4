package io.tapvsock.stack.icmp;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * One open ICMP socket, registered on the network loop's epoll as an {@link EpollIoHandle}: no thread of its own,
 * readiness arrives with the loop's other I/O. Registration is level-triggered, so a socket not drained in one
 * wakeup is reported again. Sends and receives go through native scratch memory the forwarder owns (ICMP is
 * rare enough that one copy each way does not matter). Network loop only, except {@link #close()}, which Netty
 * also calls when the loop shuts down.
 */
final class IcmpSocket implements EpollIoHandle {

    private static final System.Logger LOG = System.getLogger(IcmpSocket.class.getName());

    final IcmpSocketKind kind;
    private final FileDescriptor fd;
    private Runnable onReadable;
    private IoRegistration registration;
    /** The IP_TTL in force, -1 until the first send sets it. */
    private int ttl = -1;
    private boolean closed;

    IcmpSocket(IcmpSocketKind kind, int fd) {
        this.kind = kind;
        this.fd = new FileDescriptor(fd);
    }

    /**
     * Registers for EPOLLIN with the loop; a socket the loop refuses is closed.
     *
     * @param onReadable runs on the loop whenever the socket has something to read
     */
    void register(IoEventLoop loop, Runnable onReadable) {
        this.onReadable = onReadable;
        loop.register(this).addListener(done -> {
            if (!done.isSuccess()) {
                LOG.log(System.Logger.Level.WARNING, "ICMP socket " + fd.intValue() + " not registered: " + done.cause());
                close();
                return;
            }
            if (closed) {
                ((IoRegistration) done.getNow()).cancel();
                return;
            }
            registration = (IoRegistration) done.getNow();
            registration.submit(EpollIoOps.EPOLLIN);
        });
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (!closed && onReadable != null) {
            onReadable.run();
        }
    }

    /** Sets IP_TTL when it differs from the value in force; 0 or the errno. */
    int ttl(int value) {
        if (value == ttl) {
            return 0;
        }
        if (IcmpSyscalls.setIntOption(fd.intValue(), IcmpSyscalls.IPPROTO_IP, IcmpSyscalls.IP_TTL, value) < 0) {
            return IcmpSyscalls.errno();
        }
        ttl = value;
        return 0;
    }

    /**
     * Sends one ICMP message (no IP header: the kernel adds it).
     *
     * @param address a struct sockaddr_in
     * @return 0, or the errno of the failure
     */
    int send(MemorySegment message, int length, MemorySegment address) {
        while (true) {
            long sent = IcmpSyscalls.sendto(fd.intValue(), message, length, 0, address);
            if (sent >= 0) {
                return 0;
            }
            int errno = IcmpSyscalls.errno();
            if (errno != IcmpSyscalls.EINTR) {
                return errno;
            }
        }
    }

    /**
     * Receives one packet: an ICMP message for a ping socket, an IPv4 packet for a raw one.
     *
     * @param from receives the sender's struct sockaddr_in
     * @param fromLength an int: the room in {@code from}, reset here before each call
     * @return the length, or minus the errno (-EAGAIN when nothing is left)
     */
    long receive(MemorySegment buffer, MemorySegment from, MemorySegment fromLength) {
        while (true) {
            fromLength.set(java.lang.foreign.ValueLayout.JAVA_INT, 0, IcmpSyscalls.SOCKADDR_IN_LENGTH);
            long received = IcmpSyscalls.recvfrom(fd.intValue(), buffer, buffer.byteSize(), 0, from, fromLength);
            if (received >= 0) {
                return received;
            }
            int errno = IcmpSyscalls.errno();
            if (errno != IcmpSyscalls.EINTR) {
                return -errno;
            }
        }
    }

    boolean isClosed() {
        return closed;
    }

    /** Unregisters from the loop and closes the descriptor. Idempotent. */
    @Override
    public void close() {
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
            LOG.log(System.Logger.Level.DEBUG, () -> "closing ICMP socket " + fd.intValue() + ": " + e);
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " ICMP socket " + fd.intValue();
    }
}
