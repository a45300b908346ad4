package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One byte stream to the daemon, whatever carries it: a unix or TCP socket, an AF_VSOCK socket, or a child
 * program's stdin and stdout. One thread reads while another writes; {@link #close()} may come from a third.
 */
interface Connection extends AutoCloseable {

    /**
     * Reads what is available (blocking until something is) into dst from its position, advancing it.
     *
     * @param dst borrowed: not retained after return
     * @return the bytes read, or -1 at the end of the stream
     * @throws java.nio.channels.ClosedChannelException once {@link #close()} was called
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes all bytes between src's position and its limit, advancing the position to the limit.
     *
     * @param src borrowed: not retained after return
     */
    void write(ByteBuffer src) throws IOException;

    /** Why the stream ended, once {@link #read} returned -1 ("closed by the host"). */
    default String endOfStream() {
        return "closed by the host";
    }

    /** Closes the stream and wakes threads blocked in read or write. Idempotent, never throws. */
    @Override
    void close();
}
