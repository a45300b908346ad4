package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits a framed stream into Ethernet frames ({@link LengthPrefix}; no RFC: QEMU's net/stream.c, hyperkit's
 * pci_virtio_net_vpnkit.c). Hyperkit's framing, then QEMU's ({@code -netdev stream} and {@code -netdev socket}):
 * <pre>
 * +--------+--------+------------------------+
 * | length, 16-bit LE| Ethernet II frame ...  |
 * +--------+--------+------------------------+
 *
 * +--------+--------+--------+--------+------------------------+
 * |   frame length, 32-bit big-endian  | Ethernet II frame ...  |
 * +--------+--------+--------+--------+------------------------+
 * </pre>
 * Each frame is emitted as a retained slice of the read buffer (no copy). A length of 0 or above the maximum
 * throws a {@link FramingException} once, after every frame before it was emitted; the rest of the stream is
 * discarded. Bytes of an incomplete frame when the stream ends are reported as a {@link TruncatedFrame} user
 * event, fired before channelInactive (an exception there would arrive only after it).
 */
public final class StreamFrameDecoder extends ByteToMessageDecoder {

    private final LengthPrefix prefix;
    private int maxFrameSize;
    private boolean broken;

    /** @param maxFrameSize the largest frame accepted, at most what the prefix can state */
    public StreamFrameDecoder(LengthPrefix prefix, int maxFrameSize) {
        this.prefix = prefix;
        setMaxFrameSize(maxFrameSize);
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Changes the limit for the frames not decoded yet, e.g. when a qemu connection enters vnet mode and its
     * records grow by a header. Safe from the handler that takes the frames: each is passed on before the next
     * is decoded.
     *
     * @param maxFrameSize at most what the prefix can state
     */
    public void setMaxFrameSize(int maxFrameSize) {
        if (maxFrameSize < 1 || maxFrameSize > prefix.maxValue()) {
            throw new IllegalArgumentException("maxFrameSize must be 1.." + prefix.maxValue() + ": " + maxFrameSize);
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
        int prefixLength = prefix.length();
        if (in.readableBytes() < prefixLength) {
            return;
        }
        long length = prefix.read(in, in.readerIndex());
        if (length == 0 || length > maxFrameSize) {
            broken = true;
            in.skipBytes(in.readableBytes());
            throw length == 0
                    ? new FramingException("bad-length-zero", "frame length 0")
                    : new FramingException("frame-too-long",
                            "frame length " + length + " above the maximum " + maxFrameSize);
        }
        if (in.readableBytes() < prefixLength + length) {
            return;
        }
        in.skipBytes(prefixLength);
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
    public record TruncatedFrame(int bytes) {
    }
}
