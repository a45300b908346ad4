package io.tapvsock.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** {@code -exec}: sends one command to a daemon's {@link ControlServer} and prints what it answers. */
final class ControlClient {

    private ControlClient() {
    }

    /**
     * @return 0 when the command succeeded, 1 when it failed
     * @throws IOException when the daemon cannot be reached or hangs up without an answer
     */
    static int exec(Path socket, String command, PrintStream out) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            OutputStream request = Channels.newOutputStream(channel);
            request.write(command.getBytes(StandardCharsets.UTF_8));
            request.flush();
            channel.shutdownOutput();
            InputStream response = Channels.newInputStream(channel);
            int status = response.read();
            if (status != ControlServer.OK && status != ControlServer.FAILED) {
                throw new IOException("no answer from " + socket);
            }
            byte[] buffer = new byte[8192];
            for (int n; (n = response.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
            }
            out.flush();
            return status == ControlServer.OK ? 0 : 1;
        }
    }
}
