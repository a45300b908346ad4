package io.tapvsock.transport.vsock.impl;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A guest's end of a hyperkit-framed stream (blocking), with the vpnkit handshake as hyperkit scripts it. */
final class HyperkitClient implements AutoCloseable {

    private final AutoCloseable resource;
    private final DataInputStream in;
    private final OutputStream out;

    HyperkitClient(InputStream in, OutputStream out, AutoCloseable resource) {
        this.in = new DataInputStream(in);
        this.out = out;
        this.resource = resource;
    }

    static HyperkitClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new HyperkitClient(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel);
    }

    /** hyperkit's hello: "VMN3T", version 22 (little-endian), a 40-character commit. */
    static byte[] hello() {
        byte[] hello = new byte[VpnkitHandshake.HELLO_LENGTH];
        System.arraycopy("VMN3T".getBytes(StandardCharsets.US_ASCII), 0, hello, 0, 5);
        hello[5] = 22;
        byte[] commit = "0123456789abcdef0123456789abcdef01234567".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(commit, 0, hello, 9, 40);
        return hello;
    }

    /** The ethernet command: 1, the UUID text, 4 zero bytes. */
    static byte[] command(String uuid) {
        byte[] command = new byte[VpnkitHandshake.COMMAND_LENGTH];
        command[0] = 1;
        byte[] text = uuid.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, command, 1, Math.min(36, text.length));
        return command;
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    byte[] read(int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** -1 at end of stream, else the next byte. */
    int readByteOrEnd() throws IOException {
        return in.read();
    }

    void send(byte[] frame) throws IOException {
        byte[] framed = new byte[frame.length + 2];
        framed[0] = (byte) frame.length;
        framed[1] = (byte) (frame.length >>> 8);
        System.arraycopy(frame, 0, framed, 2, frame.length);
        write(framed);
    }

    byte[] receive() throws IOException {
        int low = in.read();
        int high = in.read();
        if (low < 0 || high < 0) {
            throw new EOFException("stream ended");
        }
        return read(low | high << 8);
    }

    /** The next frame of this EtherType, skipping others. */
    byte[] receive(int etherType) throws IOException {
        return receive(null, etherType);
    }

    /**
     * The next frame of this EtherType addressed to {@code mac} (unicast), skipping others: broadcasts from other
     * guests on the switch, IPv6 chatter.
     *
     * @param mac null for any destination
     */
    byte[] receive(byte[] mac, int etherType) throws IOException {
        while (true) {
            byte[] frame = receive();
            if (frame.length >= 14 && GuestFrames.etherType(frame) == etherType
                    && (mac == null || java.util.Arrays.equals(mac, 0, 6, frame, 0, 6))) {
                return frame;
            }
        }
    }

    @Override
    public void close() throws Exception {
        resource.close();
    }
}
