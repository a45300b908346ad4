package io.tapvsock.itests.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/** Blocking unix stream clients for tests: connect, an exchange with an echo server, read to the end. */
public final class UnixStreams {

    private UnixStreams() {
    }

    public static SocketChannel connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /**
     * Sends bytes on an echo stream and reads as many back, at once (a writer thread, so a stream larger than the
     * socket buffers does not stall); throws if the stream ends first.
     */
    public static byte[] echo(SocketChannel channel, byte[] bytes) throws IOException {
        CompletableFuture<Void> written = CompletableFuture.runAsync(() -> {
            try {
                channel.write(ByteBuffer.wrap(bytes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ByteBuffer back = ByteBuffer.allocate(bytes.length);
        while (back.hasRemaining()) {
            if (channel.read(back) < 0) {
                throw new IOException("stream ended after " + back.position() + " of " + bytes.length + " bytes");
            }
        }
        written.join();
        return back.array();
    }

    /** Everything until the peer's EOF. */
    public static byte[] readToEnd(SocketChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        while (channel.read(buffer) >= 0) {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }
        return out.toByteArray();
    }
}
