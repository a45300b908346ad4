package io.tapvsock.transport.qemu;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A blocking QEMU-side client: writes and reads length-prefixed frames. */
final class TestClient implements AutoCloseable {

    private final SocketChannel channel;

    TestClient(SocketAddress address) throws IOException {
        channel = SocketChannel.open(address);
    }

    void sendFrames(byte[]... frames) throws IOException {
        int total = 0;
        for (byte[] frame : frames) {
            total += 4 + frame.length;
        }
        ByteBuffer out = ByteBuffer.allocate(total);
        for (byte[] frame : frames) {
            out.putInt(frame.length).put(frame);
        }
        sendRaw(out.array());
    }

    void sendRaw(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    byte[] readFrame() throws IOException {
        ByteBuffer prefix = readFully(4);
        return readFully(prefix.getInt()).array();
    }

    /** True when the server closed the connection (end of stream or reset) before sending anything. */
    boolean closedByServer() throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        try {
            return channel.read(one) < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    private ByteBuffer readFully(int length) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(length);
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("connection closed after " + in.position() + " of " + length + " bytes");
            }
        }
        return in.flip();
    }

    /** Closes the connection from the client's side (QEMU going away). */
    void hangUp() throws IOException {
        channel.close();
    }

    @Override
    public void close() throws IOException {
        hangUp();
    }
}
