package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A raw test client on a qemu listener in place of a guest, with a MAC and an IPv4 address of its own. A reader
 * thread drains everything the daemon sends (broadcasts from other guests included) and notes two things: ARP
 * replies addressed to this client, and the end of the connection. {@link #probe()} uses the first as an ordered
 * barrier: the daemon handles one connection's frames in order, so once the gateway answers an ARP request sent
 * after some frames, those frames have been handled (and counted) too.
 */
public final class RawQemuClient implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final QemuWire wire;
    private final byte[] mac;
    private final byte[] ip;
    private final byte[] gatewayIp;
    private final BlockingQueue<Boolean> arpReplies = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    private RawQemuClient(QemuWire wire, byte[] mac, byte[] ip, byte[] gatewayIp) {
        this.wire = wire;
        this.mac = mac;
        this.ip = ip;
        this.gatewayIp = gatewayIp;
        Thread.ofVirtual().name("raw-qemu-reader").start(this::drain);
    }

    /** What {@link #connect} did: the client, and how many attempts the listener refused before it. */
    public record Connected(RawQemuClient client, int refused) {
    }

    /**
     * Connects to {@code socket} and waits until the daemon serves the connection (the gateway answers an ARP
     * probe). A listener takes one client at a time and closes a second one at once; such a refused attempt
     * (the daemon may still be finishing the previous client) is retried, and counted, until {@code timeout}.
     */
    public static Connected connect(Path socket, byte[] mac, byte[] ip, byte[] gatewayIp, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int refused = 0;
        while (true) {
            QemuWire wire;
            try {
                wire = QemuWire.connect(socket);
            } catch (UncheckedIOException e) {
                // The socket file appears at bind(), a moment before listen(): not an answer yet.
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("cannot connect to the qemu listener " + socket, e);
                }
                Daemon.sleep(100);
                continue;
            }
            RawQemuClient client = new RawQemuClient(wire, mac, ip, gatewayIp);
            if (client.probe()) {
                return new Connected(client, refused);
            }
            client.close();
            refused++;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the qemu listener " + socket + " refused " + refused + " clients in a row");
            }
        }
    }

    /** Sends one frame with its length prefix; false if the daemon had already closed the connection. */
    public boolean send(byte[] frame) {
        try {
            wire.send(frame);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends raw bytes (a bogus length prefix); false if the daemon had already closed the connection. */
    public boolean sendRaw(byte[] bytes) {
        try {
            wire.sendRaw(bytes);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Asks the gateway for its MAC and waits for the answer: true when it came (the connection is served and
     * every frame sent before was handled), false when the daemon closed the connection instead.
     */
    public boolean probe() {
        if (!send(Frames.arpRequest(Frames.GATEWAY_MAC, mac, ip, gatewayIp))) {
            return false;
        }
        try {
            Boolean answer = arpReplies.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (answer == null) {
                throw new AssertionError("neither an ARP reply nor a close within " + WAIT + " of an ARP probe");
            }
            return answer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits until the daemon closes the connection; fails if it does not within {@code timeout}. */
    public void awaitClosedByDaemon(Duration timeout) {
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the daemon did not close the connection within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

    /** True once the daemon has closed the connection (the reader saw its end). */
    public boolean isClosed() {
        return closed.isDone();
    }

    private void drain() {
        try {
            while (true) {
                if (Frames.isArpReplyTo(wire.receive(), mac)) {
                    arpReplies.add(Boolean.TRUE);
                }
            }
        } catch (IOException e) {
            closed.complete(null); // end of stream, or our own close
            arpReplies.add(Boolean.FALSE);
        }
    }

    @Override
    public void close() {
        wire.close();
    }
}
