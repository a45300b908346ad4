package io.tapvsock.stack.tcp;

/**
 * What {@link TcpNat} keeps per connection: the connection, its flow key and place in the timer queue, and the
 * far end it relays to, which is the {@link HostEnd} the connection writes through. The far end is a host socket
 * ({@link HostLink}, for a guest's connection out through NAT) or a channel served inside the daemon
 * ({@link GuestChannelLink}, for port forwarding into a guest and the gateway's own TCP services). Network loop only.
 */
abstract class Link implements HostEnd {

    final TcpNat nat;
    /** The flow key as guest segments carry it: (guest address, our address), (guest port, our port). */
    final long addressKey;
    final int portKey;
    TcpConnection connection;
    /** This connection's place in TcpNat's deadline queue. */
    final DeadlineQueue.Entry<Link> timer = new DeadlineQueue.Entry<>(this);
    /** In TcpNat's list of connections touched during the guest's burst. */
    boolean touched;
    /** In TcpNat's list of connections with far-end data or EOF to dispatch at the end of the loop's pass. */
    boolean hostReady;
    /** Guest data could not be delivered (the far end is gone): the connection must be reset. */
    boolean failed;

    Link(TcpNat nat, long addressKey, int portKey) {
        this.nat = nat;
        this.addressKey = addressKey;
        this.portKey = portKey;
    }

    /** The guest's burst ended: hand over what it sent during the burst. */
    abstract void flush();

    /** The connection is over: close the far end (normally; {@link #reset()} is the abrupt way). */
    abstract void close();

    /** The guest's window is full: take no more data from the far end until {@link #resumeReading()}. */
    abstract void pauseReading();

    /** After every dispatch of the connection: a link that waits for the handshake looks at the state here. */
    void dispatched() {
    }
}
