package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.api.FrameSink;

/**
 * Frames toward one guest: a 4-byte big-endian length, then the frame itself, written as two buffers so the
 * flush is one gathering write and the frame is never copied. Network loop only.
 */
final class QemuFrameSink implements FrameSink {

    private final Channel channel;
    private final int maxFrameSize;
    private final QemuCounters counters;

    QemuFrameSink(Channel channel, int maxFrameSize, QemuCounters counters) {
        this.channel = channel;
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
        ByteBuf prefix = channel.alloc().ioBuffer(QemuFrameDecoder.PREFIX_LENGTH).writeInt(length);
        channel.write(prefix, channel.voidPromise());
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
