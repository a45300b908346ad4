package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Connection} over a child program's stdin (toward the daemon) and stdout (from it), as gvforwarder's
 * {@code stdio:} URLs make: the child is started here, its stderr goes to ours, and closing kills it (SIGKILL,
 * as upstream) and reaps it. The stream ends when the child closes its stdout, normally by exiting.
 *
 * <p>The relay polls sockets, and the JDK keeps a child's pipe fds to itself, so two pump threads copy between
 * the pipes and one end of a socketpair; the relay uses the other end. stdio: endpoints are for SSH-carried
 * links, where a copy and two threads are not what limits speed.
 */
final class ProcessConnection implements Connection {

    /** How long to wait for a child that closed its stdout to exit, only to name its exit status. */
    private static final long EXIT_WAIT_MILLIS = 1000;
    private static final int PUMP_BUFFER = 64 * 1024;

    private final Process process;
    /** The relay's end of the socketpair. */
    private final StreamSocket relayEnd;
    /** The pumps' end: stdout is written into it, what the relay writes is read from it for stdin. */
    private final StreamSocket pumpEnd;

    private ProcessConnection(Process process, StreamSocket relayEnd, StreamSocket pumpEnd) {
        this.process = process;
        this.relayEnd = relayEnd;
        this.pumpEnd = pumpEnd;
    }

    /**
     * Starts the program and its pumps.
     *
     * @param command the program's path, then its arguments
     * @throws IOException when it cannot be started (missing, not executable)
     */
    static ProcessConnection start(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        StreamSocket[] pair;
        try {
            pair = StreamSocket.pair("child " + process.pid());
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        ProcessConnection connection = new ProcessConnection(process, pair[0], pair[1]);
        String name = "child-" + process.pid();
        Thread.ofPlatform().name(name + "-stdout").daemon(true).start(connection::pumpStdout);
        Thread.ofPlatform().name(name + "-stdin").daemon(true).start(connection::pumpStdin);
        return connection;
    }

    /** The child's process id, for logs and tests. */
    long pid() {
        return process.pid();
    }

    /** Child's stdout to the socketpair; its end of the stream becomes the relay's (shutdown of our output). */
    private void pumpStdout() {
        InputStream stdout = process.getInputStream();
        byte[] buffer = new byte[PUMP_BUFFER];
        try {
            int count;
            while ((count = stdout.read(buffer)) >= 0) {
                pumpEnd.write(ByteBuffer.wrap(buffer, 0, count));
            }
            pumpEnd.shutdownOutput();
        } catch (IOException e) {
            close(); // the socketpair or the pipe broke: the connection is over either way
        }
    }

    /** The socketpair to the child's stdin; each read goes out at once (the pipe stream is buffered). */
    private void pumpStdin() {
        OutputStream stdin = process.getOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(PUMP_BUFFER);
        try {
            while (pumpEnd.read(buffer.clear()) >= 0) {
                stdin.write(buffer.array(), 0, buffer.position());
                stdin.flush();
            }
        } catch (IOException e) {
            // closed, or the child is gone (broken pipe): the stdout side sees it too
        } finally {
            try {
                stdin.close();
            } catch (IOException e) {
                // the child is gone: a broken pipe on the last flush is expected
            }
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return relayEnd.read(dst);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        relayEnd.write(src);
    }

    @Override
    public int readNow(ByteBuffer dst) throws IOException {
        return relayEnd.readNow(dst);
    }

    @Override
    public int writeNow(ByteBuffer src) throws IOException {
        return relayEnd.writeNow(src);
    }

    @Override
    public int pollFd() {
        return relayEnd.pollFd();
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

    /** Kills the child and closes both socket ends, which ends the pumps. No wait: the JDK reaps the child. */
    @Override
    public void close() {
        process.destroyForcibly();
        relayEnd.close();
        pumpEnd.close();
    }

    @Override
    public String toString() {
        return "child " + process.pid();
    }
}
