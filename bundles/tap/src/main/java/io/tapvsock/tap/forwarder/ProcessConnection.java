package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Connection} over a child program's stdin (toward the daemon) and stdout (from it), as gvforwarder's
 * {@code stdio:} URLs make: the child is started here, its stderr goes to ours, and closing kills it (SIGKILL,
 * as upstream) and reaps it. The stream ends when the child closes its stdout, normally by exiting.
 */
final class ProcessConnection implements Connection {

    /** How long to wait for a child that closed its stdout to exit, only to name its exit status. */
    private static final long EXIT_WAIT_MILLIS = 1000;

    private final Process process;
    private final InputStream in;
    private final OutputStream out;
    /** Scratch for the copy between the pipes and the (direct) buffers; only the reading thread uses it. */
    private final byte[] readScratch = new byte[64 * 1024];
    private byte[] writeScratch = new byte[0];
    private volatile boolean closed;

    private ProcessConnection(Process process) {
        this.process = process;
        this.in = process.getInputStream();
        this.out = process.getOutputStream();
    }

    /**
     * Starts the program.
     *
     * @param command the program's path, then its arguments
     * @throws IOException when it cannot be started (missing, not executable)
     */
    static ProcessConnection start(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new ProcessConnection(process);
    }

    /** The child's process id, for logs and tests. */
    long pid() {
        return process.pid();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        int count;
        try {
            count = in.read(readScratch, 0, Math.min(readScratch.length, dst.remaining()));
        } catch (IOException e) {
            if (closed) {
                throw new ClosedChannelException();
            }
            throw e;
        }
        if (closed) {
            throw new ClosedChannelException(); // the kill woke the read with end of stream
        }
        if (count > 0) {
            dst.put(readScratch, 0, count);
        }
        return count;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        int length = src.remaining();
        if (writeScratch.length < length) {
            writeScratch = new byte[Math.max(length, 2048)];
        }
        src.get(writeScratch, 0, length);
        try {
            out.write(writeScratch, 0, length);
            out.flush(); // the pipe stream is buffered: each frame goes out whole, now
        } catch (IOException e) {
            if (closed) {
                throw new ClosedChannelException();
            }
            throw e;
        }
    }

    /** Names the child's exit status when it exited. */
    @Override
    public String endOfStream() {
        try {
            if (process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                return "the program exited with status " + process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "the program closed its stdout";
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroyForcibly(); // its end of the stdout pipe closes: a blocked read sees end of stream
        try {
            out.close();
        } catch (IOException e) {
            // the child is gone: a broken pipe on the last flush is expected
        }
        // No wait here (close() runs on the relay's threads and in the shutdown hook): the JDK reaps the child.
    }

    @Override
    public String toString() {
        return "child " + process.pid();
    }
}
