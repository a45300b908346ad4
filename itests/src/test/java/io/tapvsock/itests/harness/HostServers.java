package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Servers on 127.0.0.1 with ephemeral ports that a guest reaches through the NAT address (192.168.127.254):
 * TCP echo, UDP echo, a TCP sink that hashes what it receives, and a TCP source that sends a fixed number of
 * pseudo-random bytes with a known SHA-256 (at once, or chunk by chunk as the test allows). Every connection
 * is served on a virtual thread.
 */
public final class HostServers implements AutoCloseable {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<AutoCloseable> sockets = new ArrayList<>();
    private volatile boolean closed;

    /** What the sink received on one connection: byte count and SHA-256 (lowercase hex). */
    public record Received(long bytes, String sha256) {
    }

    /** A source server and the digest of what it sends to each client. */
    public record Source(int port, long bytes, String sha256) {
    }

    /** A TCP server that echoes everything back and closes when the client half-closes. Returns its port. */
    public int tcpEcho() {
        return tcpServer(socket -> {
            try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
                in.transferTo(out);
            }
        });
    }

    /** A UDP server that sends every datagram back to its sender. Returns its port. */
    public int udpEcho() {
        try {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
            sockets.add(socket);
            Thread.ofVirtual().name("udp-echo").start(() -> {
                byte[] buffer = new byte[65535];
                while (!socket.isClosed()) {
                    try {
                        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        socket.send(new DatagramPacket(packet.getData(), packet.getLength(),
                            packet.getSocketAddress()));
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            return socket.getLocalPort();
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A TCP server that reads each connection to EOF and reports the bytes and SHA-256 through {@code received}.
     * Returns its port.
     */
    public int sink(BlockingQueue<Received> received) {
        return tcpServer(socket -> {
            try (socket; InputStream in = socket.getInputStream()) {
                MessageDigest digest = sha256();
                byte[] buffer = new byte[256 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    digest.update(buffer, 0, n);
                    total += n;
                }
                received.add(new Received(total, HexFormat.of().formatHex(digest.digest())));
            }
        });
    }

    /** A TCP server that sends each client {@code bytes} pseudo-random bytes from {@code seed} and closes. */
    public Source source(long bytes, long seed) {
        int port = tcpServer(socket -> {
            try (socket; OutputStream out = socket.getOutputStream()) {
                writeRandom(out, bytes, seed, null);
                socket.shutdownOutput();
            }
        });
        MessageDigest digest = sha256();
        try {
            writeRandom(OutputStream.nullOutputStream(), bytes, seed, digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Source(port, bytes, HexFormat.of().formatHex(digest.digest()));
    }

    /**
     * A TCP server whose client gets {@code chunks} chunks of {@code chunkBytes} pseudo-random bytes from
     * {@code seed}, each one only after the test released a permit of {@link GatedSource#gate()}; then the
     * server closes. The test decides when data flows, so a transfer can span a sequence of test steps.
     */
    public GatedSource gatedSource(int chunkBytes, int chunks, long seed) {
        byte[] data = new byte[Math.multiplyExact(chunkBytes, chunks)];
        new SplittableRandom(seed).nextBytes(data);
        Semaphore gate = new Semaphore(0);
        int port = tcpServer(socket -> {
            try (socket; OutputStream out = socket.getOutputStream()) {
                for (int i = 0; i < chunks; i++) {
                    if (!acquire(gate)) {
                        return;
                    }
                    out.write(data, i * chunkBytes, chunkBytes);
                    out.flush();
                }
                socket.shutdownOutput();
            }
        });
        return new GatedSource(port, gate, chunkBytes, chunks, HexFormat.of().formatHex(sha256().digest(data)));
    }

    /** A gated source: release one permit per chunk to send. */
    public record GatedSource(int port, Semaphore gate, int chunkBytes, int chunks, String sha256) {
        /** The whole transfer's length. */
        public long bytes() {
            return (long) chunkBytes * chunks;
        }
    }

    /** Waits for a permit; false once the servers are closed (after a test that never released it). */
    private boolean acquire(Semaphore gate) {
        try {
            while (!gate.tryAcquire(1, TimeUnit.SECONDS)) {
                if (closed) {
                    return false;
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Writes {@code bytes} bytes from a seeded generator to {@code out}, hashing them into {@code digest}. */
    public static void writeRandom(OutputStream out, long bytes, long seed, MessageDigest digest)
        throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[64 * 1024];
        for (long left = bytes; left > 0; ) {
            random.nextBytes(chunk);
            int n = (int) Math.min(chunk.length, left);
            if (digest != null) {
                digest.update(chunk, 0, n);
            }
            out.write(chunk, 0, n);
            left -= n;
        }
    }

    /** A fresh SHA-256 digest. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private interface Handler {
        void serve(Socket socket) throws IOException;
    }

    private int tcpServer(Handler handler) {
        try {
            ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
            sockets.add(server);
            Thread.ofVirtual().name("tcp-server-" + server.getLocalPort()).start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        Thread.ofVirtual().start(() -> {
                            try {
                                handler.serve(socket);
                            } catch (IOException e) {
                                closeQuietly(socket); // the client went away; the test sees it on its side
                            }
                        });
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            });
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // already failing
        }
    }

    /** A queue for {@link #sink}. */
    public static BlockingQueue<Received> queue() {
        return new LinkedBlockingQueue<>();
    }

    @Override
    public void close() {
        closed = true;
        sockets.forEach(HostServers::closeQuietly);
    }
}
