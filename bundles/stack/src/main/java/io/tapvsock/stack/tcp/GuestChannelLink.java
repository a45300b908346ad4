package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelPromise;
import java.net.ConnectException;

/**
 * The far end of a connection whose other side is a {@link GuestChannel} inside the daemon: what the connection
 * reports goes to the channel, what the channel does goes to {@link TcpNat}. Network loop only.
 */
final class GuestChannelLink extends Link {

    final GuestChannel channel;
    /** Completed once the guest accepted our SYN; null for a connection the guest opened. */
    private final ChannelPromise connectPromise;
    private boolean established;

    GuestChannelLink(TcpNat nat, long addressKey, int portKey, GuestChannel channel, ChannelPromise connectPromise) {
        super(nat, addressKey, portKey);
        this.channel = channel;
        this.connectPromise = connectPromise;
    }

    // ---------------------------------------------------------------- HostEnd (the connection speaking)

    /** @param data transferred: callee releases */
    @Override
    public void write(ByteBuf data) {
        if (!channel.guestData(data)) {
            failed = true;
        }
    }

    @Override
    public int bufferedBytes() {
        return channel.receivedBytes();
    }

    @Override
    public void shutdownOutput() {
        channel.guestFin();
    }

    @Override
    public void reset() {
        channel.guestReset();
    }

    @Override
    public void resumeReading() {
        channel.windowOpened();
    }

    // ---------------------------------------------------------------- Link

    @Override
    void flush() {
        channel.deliver();
    }

    @Override
    void close() {
        if (connectPromise != null && !established) {
            connectPromise.tryFailure(new ConnectException("connection refused by the guest, or no answer: "
                    + channel.remoteAddress()));
        }
        channel.connectionGone();
    }

    @Override
    void pauseReading() {
        // Nothing to stop: the channel writes only as far as the guest's window goes.
    }

    @Override
    void dispatched() {
        if (!established && connection.state().synchronized_()) {
            established = true;
            channel.established(connectPromise);
        }
    }

    // ---------------------------------------------------------------- the channel speaking

    void channelClosed(boolean reset) {
        nat.channelClosed(this, reset);
    }

    void channelOutputShutdown() {
        nat.channelOutputShutdown(this);
    }

    /** The channel put data into the connection's send buffer. */
    void dataHanded() {
        nat.hostReadComplete(this);
    }

    /** The channel handed queued guest data to its pipeline: the window offered to the guest grew. */
    void delivered() {
        nat.hostDrained(this);
    }
}
