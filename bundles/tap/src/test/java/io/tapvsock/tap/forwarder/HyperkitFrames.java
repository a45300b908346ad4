package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** The test server's side of hyperkit framing: 2-byte little-endian length + frame. */
final class HyperkitFrames {

    private HyperkitFrames() {
    }

    /** Reads one length and that many bytes into frame[0..length). */
    static int readFrame(SocketChannel channel, ByteBuffer frame) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(2);
        readFully(channel, prefix);
        int length = (prefix.get(0) & 0xFF) | (prefix.get(1) & 0xFF) << 8;
        assertTrue(length >= 14, "length " + length);
        frame.clear().limit(length);
        readFully(channel, frame);
        return length;
    }

    static void writeFrame(SocketChannel channel, byte[] frame) throws IOException {
        ByteBuffer framed = ByteBuffer.allocate(2 + frame.length)
                .put((byte) frame.length).put((byte) (frame.length >>> 8)).put(frame).flip();
        writeFully(channel, framed);
    }

    static byte[] readExactly(SocketChannel channel, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        readFully(channel, buffer);
        return buffer.array();
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException();
            }
        }
    }
}
