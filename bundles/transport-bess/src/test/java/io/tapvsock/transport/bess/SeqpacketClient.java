package io.tapvsock.transport.bess;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A scripted bess client, as User Mode Linux is one: a non-blocking SOCK_SEQPACKET connection whose messages are
 * whole frames. Receives poll with a deadline, so a missing frame fails the test instead of hanging it.
 */
final class SeqpacketClient implements AutoCloseable {

    private static final long WAIT_NANOS = 10_000_000_000L;

    private final FileDescriptor fd;
    private final ByteBuffer in = ByteBuffer.allocateDirect(128 * 1024);

    SeqpacketClient(Path path) throws IOException {
        fd = new FileDescriptor(SeqpacketSocket.connect(path));
    }

    /** Each frame as one message. */
    void send(byte[]... frames) throws IOException {
        for (byte[] frame : frames) {
            ByteBuffer out = ByteBuffer.allocateDirect(frame.length).put(frame).flip();
            int written = fd.write(out, 0, frame.length);
            if (written != frame.length) {
                throw new IOException("short or refused write: " + written + " of " + frame.length);
            }
        }
    }

    /** The next message; fails when none comes in time or the connection ends. */
    byte[] receive() throws IOException, InterruptedException {
        int length = next();
        if (length < 0) {
            throw new AssertionError("the server closed the connection");
        }
        byte[] frame = new byte[length];
        in.get(0, frame);
        return frame;
    }

    /** The next message whose bytes 12..13 (the EtherType) are {@code etherType}; others are skipped. */
    byte[] receive(int etherType) throws IOException, InterruptedException {
        while (true) {
            byte[] frame = receive();
            if (frame.length >= 14 && ((frame[12] & 0xff) << 8 | (frame[13] & 0xff)) == etherType) {
                return frame;
            }
        }
    }

    /** True when the server ends the connection (after any messages still queued) in time. */
    boolean closedByServer() throws IOException, InterruptedException {
        try {
            while (next() >= 0) {
                // skip what was sent before the close
            }
            return true;
        } catch (AssertionError timedOut) {
            return false;
        }
    }

    /** @return the length of the message now in {@link #in}, -1 at the end of the connection */
    private int next() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (true) {
            int length;
            try {
                length = fd.read(in, 0, in.capacity());
            } catch (IOException reset) {
                return -1; // ECONNRESET: the server went away
            }
            if (length != 0) {
                return length;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no message within 10 s");
            }
            Thread.sleep(2);
        }
    }

    @Override
    public void close() throws IOException {
        fd.close();
    }
}
