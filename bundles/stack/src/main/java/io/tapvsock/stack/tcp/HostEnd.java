package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;

/**
 * The host socket of a NATed connection as the state machine sees it. TcpNat backs it with a Netty channel;
 * tests with a recorder. Network loop only.
 */
interface HostEnd {

    /**
     * In-order guest data for the host socket, written now and flushed at the end of the guest's burst.
     *
     * @param data transferred: callee releases
     */
    void write(ByteBuf data);

    /** Bytes written toward the host socket that it has not taken yet: they count against the guest's window. */
    int bufferedBytes();

    /** The guest sent FIN: shut down the host socket's output once the data written so far is out. */
    void shutdownOutput();

    /** The guest reset the connection, or we gave it up: close the host socket at once with SO_LINGER 0. */
    void reset();

    /** The guest's window has room again: read the host socket whenever it has data, until the window fills. */
    void resumeReading();
}
