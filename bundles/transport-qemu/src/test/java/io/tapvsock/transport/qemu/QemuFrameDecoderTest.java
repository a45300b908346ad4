package io.tapvsock.transport.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuFrameDecoderTest {

    private static ByteBuf bytes(int... values) {
        ByteBuf buf = Unpooled.buffer(values.length);
        for (int value : values) {
            buf.writeByte(value);
        }
        return buf;
    }

    private static byte[] readFrame(EmbeddedChannel channel) {
        ByteBuf frame = channel.readInbound();
        try {
            return ByteBufUtil.getBytes(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void frames_in_one_buffer_come_out_as_slices() {
        EmbeddedChannel channel = new EmbeddedChannel(new QemuFrameDecoder(100));
        channel.writeInbound(bytes(0, 0, 0, 2, 0xa1, 0xa2, 0, 0, 0, 1, 0xb1));
        ByteBuf first = channel.readInbound();
        try {
            assertArrayEquals(new byte[] {(byte) 0xa1, (byte) 0xa2}, ByteBufUtil.getBytes(first));
            assertFalse(first.unwrap() == null, "a slice of the read buffer, not a copy");
        } finally {
            first.release();
        }
        assertArrayEquals(new byte[] {(byte) 0xb1}, readFrame(channel));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void a_frame_split_across_reads_waits_for_its_last_byte() {
        EmbeddedChannel channel = new EmbeddedChannel(new QemuFrameDecoder(100));
        channel.writeInbound(bytes(0, 0));
        channel.writeInbound(bytes(0, 3, 1));
        assertNull(channel.readInbound());
        channel.writeInbound(bytes(2, 3, 0, 0));
        assertArrayEquals(new byte[] {1, 2, 3}, readFrame(channel));
        assertNull(channel.readInbound());
        channel.writeInbound(bytes(0, 1, 9));
        assertArrayEquals(new byte[] {9}, readFrame(channel));
        assertFalse(channel.finish());
    }

    @Test
    void bad_lengths_throw_once_after_the_frames_before_them() {
        for (int[] prefix : new int[][] {{0, 0, 0, 0}, {0, 0, 0, 101}, {0xff, 0xff, 0xff, 0xff}}) {
            EmbeddedChannel channel = new EmbeddedChannel(new QemuFrameDecoder(100));
            FramingException broken = assertThrows(FramingException.class, () -> channel.writeInbound(
                    bytes(0, 0, 0, 1, 7, prefix[0], prefix[1], prefix[2], prefix[3], 0, 0, 0, 1, 8)));
            assertEquals(prefix[3] == 0 ? "bad-length-zero" : "frame-too-long", broken.reason());
            assertArrayEquals(new byte[] {7}, readFrame(channel));
            assertNull(channel.readInbound());
            channel.writeInbound(bytes(0, 0, 0, 1, 9));
            assertNull(channel.readInbound(), "nothing is decoded after the framing broke");
            assertFalse(channel.finish());
        }
    }

    @Test
    void end_of_stream_inside_a_frame_fires_truncated() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new QemuFrameDecoder(100), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                events.add(event);
            }
        });
        channel.writeInbound(bytes(0, 0, 0, 1, 5, 0, 0, 0, 9, 1, 2));
        assertArrayEquals(new byte[] {5}, readFrame(channel));
        assertFalse(channel.finish());
        assertEquals(1, events.size());
        assertSame(QemuFrameDecoder.TruncatedFrame.class, events.getFirst().getClass());
        assertEquals(6, ((QemuFrameDecoder.TruncatedFrame) events.getFirst()).bytes());
    }
}
