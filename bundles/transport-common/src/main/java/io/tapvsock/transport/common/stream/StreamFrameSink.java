package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.tapvsock.api.FrameSink;
import io.tapvsock.transport.common.LinkCounters;

/**
 * Frames toward one stream peer: the length prefix, then the frame itself, written as two buffers so the flush
 * is one gathering write and the frame is never copied. A frame that is empty or above the limit, or that comes
 * while the connection is down, is dropped and counted. Network loop only.
 *
 * <p>A transport that puts a header of its own between the prefix and the frame (qemu's vnet mode) extends
 * this class: {@link #headerLength()} says how long that header is now, {@link #writeHeader} fills it in, the
 * prefix counts header and frame, and the subclass's own send methods decide their drops and call
 * {@link #write}. The header shares the prefix's buffer, so a record is still two buffers.
 */
public class StreamFrameSink implements FrameSink {

    /** What {@link #send} tells {@link #writeHeader}: a complete frame, nothing left to offload. */
    public static final int COMPLETE = 0;

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
                : null;
        write(frame, drop, COMPLETE);
    }

    /**
     * Writes the prefix (and the header, if {@link #headerLength()} asks for one) and the frame, and counts a
     * frame out; or drops the frame and counts why.
     *
     * @param frame transferred: written, or released
     * @param drop  a drop reason decided by the caller, or null; "link-down" is added here
     * @param kind  handed to {@link #writeHeader}: {@link #COMPLETE} from {@link #send}, else the subclass's own
     * @return true when written
     */
    protected final boolean write(ByteBuf frame, String drop, int kind) {
        if (drop == null && !channel.isActive()) {
            drop = "link-down";
        }
        if (drop != null) {
            frame.release();
            counters.droppedOut(drop);
            return false;
        }
        int length = frame.readableBytes();
        int headerLength = headerLength();
        ByteBuf head = channel.alloc().ioBuffer(prefix.length() + headerLength);
        prefix.write(head, headerLength + length);
        if (headerLength > 0) {
            writeHeader(head, head.writerIndex(), frame, kind);
            head.writerIndex(head.writerIndex() + headerLength);
        }
        channel.write(head, channel.voidPromise());
        channel.write(frame, channel.voidPromise());
        counters.frameOut(length);
        return true;
    }

    /** Bytes of header between the prefix and each frame from now on; none here. */
    protected int headerLength() {
        return 0;
    }

    /**
     * Fills in the {@link #headerLength()} bytes at {@code index} (absolute; the writer index is moved past them
     * afterwards). Called only when {@link #headerLength()} is above 0.
     *
     * @param head  borrowed: not retained after return; the prefix is already in it
     * @param frame borrowed: not retained after return; the frame the header describes
     * @param kind  what the caller of {@link #write} said about the frame
     */
    protected void writeHeader(ByteBuf head, int index, ByteBuf frame, int kind) {
        throw new IllegalStateException("a sink with a header must write it");
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
