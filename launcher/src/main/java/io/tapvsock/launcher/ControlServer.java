package io.tapvsock.launcher;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's control socket, a unix stream socket of mode 0600, through which {@code -exec} runs shell
 * commands. Protocol, one command per connection: the client sends the command as UTF-8 and shuts down its
 * output; the server answers one status byte, {@code '0'} (ok) or {@code '1'} (failed), then the output as
 * UTF-8, and closes.
 */
final class ControlServer implements Closeable {

    static final byte OK = '0';
    static final byte FAILED = '1';
    /** A command longer than this is refused: the socket is private, but a stuck client must not eat memory. */
    static final int MAX_COMMAND_BYTES = 64 * 1024;

    private static final Logger LOG = Logger.getLogger(ControlServer.class.getName());

    private final Path path;
    private final ServerSocketChannel server;
    private final CommandRunner runner;
    private final Thread acceptor;

    private ControlServer(Path path, ServerSocketChannel server, CommandRunner runner) {
        this.path = path;
        this.server = server;
        this.runner = runner;
        this.acceptor = Thread.ofPlatform().name("tapvsock-control").daemon().unstarted(this::acceptLoop);
    }

    /** Binds {@code path} (replacing a stale socket file there) and starts accepting. */
    static ControlServer start(Path path, CommandRunner runner) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            server.close();
            throw e;
        }
        ControlServer control = new ControlServer(path, server, runner);
        control.acceptor.start();
        return control;
    }

    Path path() {
        return path;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel client = server.accept();
                Thread.ofVirtual().name("tapvsock-control-client").start(() -> serve(client));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "control socket: " + e.getMessage());
            }
        }
    }

    private void serve(SocketChannel client) {
        try (client; InputStream in = Channels.newInputStream(client);
                OutputStream out = Channels.newOutputStream(client)) {
            byte[] request = in.readNBytes(MAX_COMMAND_BYTES + 1);
            CommandRunner.Result result;
            if (request.length > MAX_COMMAND_BYTES) {
                result = new CommandRunner.Result(false, "command longer than " + MAX_COMMAND_BYTES + " bytes\n");
            } else {
                String command = new String(request, StandardCharsets.UTF_8).strip();
                LOG.log(Level.FINE, "control: {0}", command);
                result = runner.run(command);
            }
            out.write(result.ok() ? OK : FAILED);
            out.write(result.output().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.log(Level.FINE, "control client went away: " + e.getMessage());
        }
    }

    /** Stops accepting and removes the socket file. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + path + ": " + e.getMessage());
        }
    }
}
