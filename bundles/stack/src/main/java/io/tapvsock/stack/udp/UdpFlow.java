package io.tapvsock.stack.udp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.stack.core.IdleFlowTable;
import io.tapvsock.stack.icmp.IcmpErrors;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One guest UDP flow and the connected host datagram channel that carries it. Connecting the channel makes the
 * kernel accept replies only from the flow's host address, which is what a NAT mapping means. Network loop only.
 */
final class UdpFlow extends IdleFlowTable.Flow {

    /** Datagrams kept while the host channel is not connected yet; more are dropped. */
    static final int MAX_PENDING = 16;

    final UdpFlowKey key;
    final InetSocketAddress hostAddress;
    /** Set when the channel is created; null only while it is. */
    Channel channel;
    boolean connected;
    boolean closed;
    /** On the NAT's list of channels to flush at the end of the guest's burst. */
    boolean unflushed;
    long packetsFromGuest;
    long packetsToGuest;
    /**
     * The IP and UDP headers of the guest's latest datagram: an ICMP error about the flow quotes them (RFC 1122
     * §3.2.2). A connected socket reports the host's error on a later call, not tied to one datagram, and any
     * datagram of the flow carries the addresses and ports the guest needs to find its socket.
     */
    final byte[] quote = new byte[IcmpErrors.MAX_QUOTE];
    int quoteLength;
    /** Retained slices of guest datagrams waiting for the connect. */
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();

    UdpFlow(UdpFlowKey key, InetSocketAddress hostAddress) {
        this.key = key;
        this.hostAddress = hostAddress;
    }

    /**
     * Queues a datagram until connected. False when the queue is full: the caller drops it.
     *
     * @param datagram transferred: callee releases (on true, kept until {@link #drainPending} or {@link #close})
     */
    boolean queue(ByteBuf datagram) {
        if (pending.size() >= MAX_PENDING) {
            datagram.release();
            return false;
        }
        pending.add(datagram);
        return true;
    }

    /**
     * Keeps the headers of a guest datagram for {@link #quote}.
     *
     * @param buf borrowed: not retained after return; the headers are {@code [from, to)}
     */
    void keepHeaders(ByteBuf buf, int from, int to) {
        quoteLength = Math.min(to - from, quote.length);
        buf.getBytes(from, quote, 0, quoteLength);
    }

    /** Writes the queued datagrams to the now connected channel. */
    void drainPending() {
        ByteBuf datagram;
        while ((datagram = pending.poll()) != null) {
            channel.write(datagram, channel.voidPromise());
        }
        channel.flush();
    }

    /** Frees the queued datagrams and closes the host channel. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        ByteBuf datagram;
        while ((datagram = pending.poll()) != null) {
            datagram.release();
        }
        if (channel != null) {
            channel.close();
        }
    }
}
