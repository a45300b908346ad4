package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A TCP server on 127.0.0.1 for half-close tests: it reads each client's request until the client shuts down its
 * writing side, reports the request's length and SHA-256, and only then sends a response of {@code responseBytes}
 * pseudo-random bytes from {@code seed} on the still open other half, and closes.
 */
public final class ReplyAfterEofServer implements AutoCloseable {
    private final ServerSocket server;
    private final BlockingQueue<HostServers.Received> requests = new LinkedBlockingQueue<>();
    private final long responseBytes;
    private final long seed;

    private ReplyAfterEofServer(ServerSocket server, long responseBytes, long seed) {
        this.server = server;
        this.responseBytes = responseBytes;
        this.seed = seed;
    }

    /** Starts the server on an ephemeral port of 127.0.0.1. */
    public static ReplyAfterEofServer start(long responseBytes, long seed) {
        try {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            ReplyAfterEofServer replier = new ReplyAfterEofServer(server, responseBytes, seed);
            Thread.ofVirtual().name("reply-after-eof-" + server.getLocalPort()).start(replier::acceptLoop);
            return replier;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Each request as read up to the client's EOF, in the order they ended. */
    public BlockingQueue<HostServers.Received> requests() {
        return requests;
    }

    /** The SHA-256 of the response every client gets. */
    public String responseSha256() {
        MessageDigest digest = HostServers.sha256();
        try {
            HostServers.writeRandom(OutputStream.nullOutputStream(), responseBytes, seed, digest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            MessageDigest digest = HostServers.sha256();
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                total += n;
            }
            requests.add(new HostServers.Received(total, HexFormat.of().formatHex(digest.digest())));
            HostServers.writeRandom(out, responseBytes, seed, null);
            socket.shutdownOutput();
        } catch (IOException e) {
            // the client went away; the test sees it on its side
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // best effort
        }
    }
}
