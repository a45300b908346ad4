package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.api.FrameSink;
import io.tapvsock.transport.common.LinkCounters;

/**
 * Frames toward one stream peer: the length prefix, then the frame itself, written as two buffers so the flush
 * is one gathering write and the frame is never copied. A frame that is empty or above the limit, or that comes
 * while the connection is down, is dropped and counted. Network loop only.
 */
public final class StreamFrameSink implements FrameSink {

    private final Channel channel;
    private final LengthPrefix prefix;
    private final int maxFrameSize;
    private final LinkCounters counters;

    /** @param maxFrameSize bounded by what the prefix can state */
    public StreamFrameSink(Channel channel, LengthPrefix prefix, int maxFrameSize, LinkCounters counters) {
        this.channel = channel;
        this.prefix = prefix;
        this.maxFrameSize = (int) Math.min(maxFrameSize, prefix.maxValue());
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
        ByteBuf head = channel.alloc().ioBuffer(prefix.length());
        prefix.write(head, length);
        channel.write(head, channel.voidPromise());
        channel.write(frame, channel.voidPromise());
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
