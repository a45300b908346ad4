package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A {@link Connection} over a blocking unix or TCP {@link SocketChannel}. */
final class ChannelConnection implements Connection {

    private final SocketChannel channel;

    /** @param channel transferred: closed by {@link #close()} */
    ChannelConnection(SocketChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            channel.write(src);
        }
    }

    @Override
    public void close() {
        try {
            channel.close(); // also wakes a thread blocked in read or write (AsynchronousCloseException)
        } catch (IOException e) {
            // nothing left to do with it
        }
    }
}
