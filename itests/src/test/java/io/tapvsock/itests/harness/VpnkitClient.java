package io.tapvsock.itests.harness;

import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A scripted hyperkit on a daemon's {@code -listen-vpnkit} unix socket (hyperkit src/lib/pci_virtio_net_vpnkit.c,
 * compat.md section 3): the handshake, then Ethernet frames behind a 2-byte little-endian length. Blocking; the
 * test's timeout bounds a read that never completes.
 */
public final class VpnkitClient implements AutoCloseable {

    public static final int HELLO_LENGTH = 49;
    public static final int REPLY_LENGTH = 258;

    private final SocketChannel channel;

    private VpnkitClient(SocketChannel channel) {
        this.channel = channel;
    }

    public static VpnkitClient connect(Path socket) throws IOException {
        return new VpnkitClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
    }

    /** hyperkit's hello: "VMN3T", version 22 (little-endian), a 40-character commit. */
    public static byte[] hello() {
        ByteBuffer hello = ByteBuffer.allocate(HELLO_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        hello.put("VMN3T".getBytes(StandardCharsets.US_ASCII)).putInt(22);
        hello.put("0123456789012345678901234567890123456789".getBytes(StandardCharsets.US_ASCII));
        return hello.array();
    }

    /** The ethernet command (1) for the interface {@code uuid}, then 4 unused bytes. */
    public static byte[] command(String uuid) {
        return ByteBuffer.allocate(41).put((byte) 1).put(uuid.getBytes(StandardCharsets.US_ASCII)).array();
    }

    /**
     * Sends the hello and the command; returns the echoed hello followed by the 258-byte answer.
     *
     * @param uuid 36 ASCII characters; anything else is a bad command, which the daemon answers by closing
     */
    public byte[] handshake(String uuid) throws IOException {
        write(hello());
        byte[] echo = read(HELLO_LENGTH);
        write(command(uuid));
        byte[] reply = read(REPLY_LENGTH);
        return ByteBuffer.allocate(echo.length + reply.length).put(echo).put(reply).array();
    }

    public void write(byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Exactly {@code length} bytes; EOFException when the daemon closes first. */
    public byte[] read(int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("closed after " + buffer.position() + " of " + length + " bytes");
            }
        }
        return buffer.array();
    }

    /** One frame behind its 2-byte little-endian length. */
    public void send(byte[] frame) throws IOException {
        write(ByteBuffer.allocate(2 + frame.length).order(ByteOrder.LITTLE_ENDIAN).putShort((short) frame.length)
            .put(frame).array());
    }

    public byte[] receive() throws IOException {
        byte[] prefix = read(2);
        return read((prefix[0] & 0xff) | (prefix[1] & 0xff) << 8);
    }

    /** True when the daemon closed the stream: the next read finds its end. */
    public boolean closedByDaemon() throws IOException {
        return channel.read(ByteBuffer.allocate(1)) < 0;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
