package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits QEMU's stream framing into Ethernet frames (the format of {@code -netdev stream} and the older
 * {@code -netdev socket}; no RFC, see QEMU's net/stream.c):
 * <pre>
 * +--------+--------+--------+--------+------------------------+
 * |   frame length, 32-bit big-endian  | Ethernet II frame ...  |
 * +--------+--------+--------+--------+------------------------+
 * </pre>
 * Each frame is emitted as a retained slice of the read buffer (no copy). A length of 0 or above the maximum
 * throws a {@link FramingException} once, after every frame before it was emitted; the rest of the stream is
 * discarded. Bytes of an incomplete frame when the stream ends are reported as a {@link TruncatedFrame} user
 * event, fired before channelInactive (an exception there would arrive only after it).
 */
final class QemuFrameDecoder extends ByteToMessageDecoder {

    static final int PREFIX_LENGTH = 4;

    private int maxFrameSize;
    private boolean broken;

    QemuFrameDecoder(int maxFrameSize) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Changes the limit for the frames not decoded yet: a connection entering vnet mode accepts a header plus a
     * super-segment. Safe from the handler that takes the frames: each is passed on before the next is decoded.
     */
    void setMaxFrameSize(int maxFrameSize) {
        if (maxFrameSize < 1) {
            throw new IllegalArgumentException("maxFrameSize must be positive: " + maxFrameSize);
        }
        this.maxFrameSize = maxFrameSize;
    }

    /** One frame per call: ByteToMessageDecoder passes each on before decoding the next. */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < PREFIX_LENGTH) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length == 0 || length > maxFrameSize) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw length == 0
                    ? new FramingException("bad-length-zero", "frame length 0")
                    : new FramingException("frame-too-long", "frame length " + length + " above the maximum " + maxFrameSize);
        }
        if (in.readableBytes() < PREFIX_LENGTH + length) {
            return;
        }
        in.skipBytes(PREFIX_LENGTH);
        out.add(in.readRetainedSlice((int) length));
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        // The inherited loop has already emitted every complete frame; what is left is a partial one.
        if (!broken && in.isReadable()) {
            int left = in.readableBytes();
            broken = true;
            in.skipBytes(left);
            ctx.fireUserEventTriggered(new TruncatedFrame(left));
        }
        super.decodeLast(ctx, in, out);
    }

    /** The stream ended inside a frame; {@code bytes} of it (prefix included) were discarded. */
    record TruncatedFrame(int bytes) {
    }
}
