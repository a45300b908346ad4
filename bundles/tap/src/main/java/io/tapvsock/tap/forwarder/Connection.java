package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One byte stream to the daemon, whatever carries it: a unix or TCP socket, an AF_VSOCK socket, or a child
 * program's stdin and stdout (behind a socketpair). Always a socket underneath, so that the relay can wait on it
 * and on the TAP in one poll(2) ({@link #pollFd()}). {@link #close()} may come from any thread.
 */
interface Connection extends AutoCloseable {

    /**
     * Reads what is available (blocking until something is) into dst from its position, advancing it. For
     * exchanges before the frames start, and tests.
     *
     * @param dst borrowed: not retained after return
     * @return the bytes read, or -1 at the end of the stream
     * @throws java.nio.channels.ClosedChannelException once {@link #close()} was called
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes all bytes between src's position and its limit (blocking while the socket is full), advancing the
     * position to the limit.
     *
     * @param src borrowed: not retained after return
     */
    void write(ByteBuffer src) throws IOException;

    /**
     * Reads what is there without waiting.
     *
     * @param dst a direct buffer, borrowed
     * @return the bytes read, 0 when nothing is there, -1 at the end of the stream
     */
    int readNow(ByteBuffer dst) throws IOException;

    /**
     * Writes as much as the socket takes now, advancing src's position.
     *
     * @param src a direct buffer, borrowed
     * @return the bytes written, 0 when the socket is full
     */
    int writeNow(ByteBuffer src) throws IOException;

    /** The fd to poll(2) for readability and writability: valid until {@link #close()}; never closed by callers. */
    int pollFd();

    /** Why the stream ended, once a read returned -1 ("closed by the host"). */
    default String endOfStream() {
        return "closed by the host";
    }

    /** Closes the stream and wakes threads blocked in read or write. Idempotent, never throws. */
    @Override
    void close();
}
