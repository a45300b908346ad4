package io.tapvsock.transport.vfkit;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import io.tapvsock.api.FrameSink;
import io.tapvsock.transport.common.LinkCounters;

/** Frames toward the vfkit peer: one datagram each, sent to the address learned from its first datagram. */
final class VfkitFrameSink implements FrameSink {

    private final Channel channel;
    private final DomainSocketAddress peer;
    private final int maxFrameSize;
    private final LinkCounters counters;

    VfkitFrameSink(Channel channel, DomainSocketAddress peer, int maxFrameSize, LinkCounters counters) {
        this.channel = channel;
        this.peer = peer;
        this.maxFrameSize = maxFrameSize;
        this.counters = counters;
    }

    /** @param frame transferred: callee releases */
    @Override
    public void send(ByteBuf frame) {
        int length = frame.readableBytes();
        String drop = length == 0 ? "empty-frame"
                : length > maxFrameSize ? "frame-too-long"
                : !channel.isActive() ? "link-down"
                : null;
        if (drop != null) {
            frame.release();
            counters.droppedOut(drop);
            return;
        }
        // A failed send (the peer went away) reaches the pipeline's exceptionCaught: VfkitPeer forgets the peer.
        channel.write(new DomainDatagramPacket(frame, peer), channel.voidPromise());
        counters.frameOut(length);
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }
}
