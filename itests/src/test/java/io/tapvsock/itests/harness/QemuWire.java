package io.tapvsock.itests.harness;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * One connection speaking the qemu transport's framing (4-byte big-endian length, then the Ethernet frame):
 * a raw test client in place of a guest, or the peer QEMU's {@code -netdev stream} connected to.
 */
public final class QemuWire implements AutoCloseable {
    private final SocketChannel channel;

    /** Wraps an already connected channel (blocking mode). */
    public QemuWire(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects to a {@code -listen-qemu unix://} socket. */
    public static QemuWire connect(Path socket) {
        try {
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new QemuWire(channel);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to " + socket, e);
        }
    }

    /** Sends one frame with its length prefix. */
    public void send(byte[] frame) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).flip();
        writeFully(out);
    }

    /** Sends raw bytes, e.g. a bogus length prefix or garbage. */
    public void sendRaw(byte[] bytes) throws IOException {
        writeFully(ByteBuffer.wrap(bytes));
    }

    /** Reads the next frame; throws {@link EOFException} when the peer closed the connection. */
    public byte[] receive() throws IOException {
        ByteBuffer length = readFully(4);
        int size = length.getInt();
        if (size < 0 || size > 1 << 20) {
            throw new IOException("absurd frame length " + size);
        }
        return readFully(size).array();
    }

    /** The underlying channel, e.g. to check whether the peer closed it. */
    public SocketChannel channel() {
        return channel;
    }

    private void writeFully(ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    private ByteBuffer readFully(int size) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(size);
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("connection closed by peer");
            }
        }
        return in.flip();
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing is best effort
        }
    }
}
