package io.tapvsock.transport.common.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

/** Hyperkit framing (2-byte little-endian length) and QEMU's (4-byte big-endian) through the one decoder. */
class StreamFrameDecoderTest {

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

    private static EmbeddedChannel hyperkit(int max) {
        return new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.HYPERKIT, max));
    }

    @Test
    void hyperkit_lengths_are_little_endian() {
        EmbeddedChannel channel = hyperkit(1000);
        // 0x0102 = 258 would be big-endian; little-endian 02 01 is 258 too, so use an asymmetric one: 03 00 = 3.
        channel.writeInbound(bytes(3, 0, 0xa1, 0xa2, 0xa3, 1, 0, 0xb1));
        assertArrayEquals(new byte[] {(byte) 0xa1, (byte) 0xa2, (byte) 0xa3}, readFrame(channel));
        assertArrayEquals(new byte[] {(byte) 0xb1}, readFrame(channel));
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void a_frame_of_256_bytes_has_prefix_00_01() {
        EmbeddedChannel channel = hyperkit(1000);
        ByteBuf in = Unpooled.buffer().writeBytes(new byte[] {0, 1}).writeZero(256);
        channel.writeInbound(in);
        assertEquals(256, readFrame(channel).length);
        assertFalse(channel.finish());
    }

    @Test
    void a_frame_split_across_reads_waits_for_its_last_byte() {
        EmbeddedChannel channel = hyperkit(100);
        channel.writeInbound(bytes(2));
        channel.writeInbound(bytes(0, 7));
        assertNull(channel.readInbound());
        channel.writeInbound(bytes(8, 2, 0));
        assertArrayEquals(new byte[] {7, 8}, readFrame(channel));
        channel.writeInbound(bytes(5, 6));
        assertArrayEquals(new byte[] {5, 6}, readFrame(channel));
        assertFalse(channel.finish());
    }

    private static EmbeddedChannel qemu(int max) {
        return new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.QEMU, max));
    }

    @Test
    void qemu_lengths_are_four_bytes_big_endian_and_frames_come_out_as_slices() {
        EmbeddedChannel channel = qemu(100);
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
    void qemu_frame_split_across_reads_waits_for_its_last_byte() {
        EmbeddedChannel channel = qemu(100);
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
    void qemu_bad_lengths_throw_once_after_the_frames_before_them() {
        for (int[] prefix : new int[][] {{0, 0, 0, 0}, {0, 0, 0, 101}, {0xff, 0xff, 0xff, 0xff}}) {
            EmbeddedChannel channel = qemu(100);
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
    void a_raised_limit_applies_to_the_frames_not_decoded_yet() {
        StreamFrameDecoder decoder = new StreamFrameDecoder(LengthPrefix.QEMU, 2);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(bytes(0, 0, 0, 2, 1, 2));
        assertArrayEquals(new byte[] {1, 2}, readFrame(channel));
        decoder.setMaxFrameSize(3);
        assertEquals(3, decoder.maxFrameSize());
        channel.writeInbound(bytes(0, 0, 0, 3, 4, 5, 6));
        assertArrayEquals(new byte[] {4, 5, 6}, readFrame(channel));
        assertThrows(IllegalArgumentException.class, () -> decoder.setMaxFrameSize(0));
        assertThrows(FramingException.class, () -> channel.writeInbound(bytes(0, 0, 0, 4)));
        assertFalse(channel.finish());
    }

    @Test
    void zero_length_is_a_framing_error_after_the_frames_before_it() {
        EmbeddedChannel channel = hyperkit(100);
        FramingException error = assertThrows(FramingException.class,
                () -> channel.writeInbound(bytes(1, 0, 0x55, 0, 0, 9, 9)));
        assertEquals("bad-length-zero", error.reason());
        assertArrayEquals(new byte[] {0x55}, readFrame(channel));
        channel.writeInbound(bytes(1, 0, 0x66)); // the rest of the stream is discarded
        assertNull(channel.readInbound());
        assertFalse(channel.finish());
    }

    @Test
    void a_length_over_the_limit_is_a_framing_error() {
        EmbeddedChannel channel = hyperkit(1514);
        FramingException error = assertThrows(FramingException.class,
                () -> channel.writeInbound(bytes(0xeb, 0x05))); // 1515
        assertEquals("frame-too-long", error.reason());
        assertFalse(channel.finish());
    }

    @Test
    void the_largest_frame_the_prefix_states_is_accepted() {
        EmbeddedChannel channel = hyperkit(65535);
        channel.writeInbound(Unpooled.buffer().writeShortLE(65535).writeZero(65535));
        assertEquals(65535, readFrame(channel).length);
        assertFalse(channel.finish());
    }

    @Test
    void a_limit_beyond_the_prefix_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> new StreamFrameDecoder(LengthPrefix.HYPERKIT, 65536));
        assertThrows(IllegalArgumentException.class, () -> new StreamFrameDecoder(LengthPrefix.HYPERKIT, 0));
    }

    @Test
    void a_stream_ending_inside_a_frame_is_reported_as_truncated() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.HYPERKIT, 100),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        events.add(event);
                    }
                });
        channel.writeInbound(bytes(5, 0, 1, 2));
        assertFalse(channel.finish());
        assertEquals(List.of(new StreamFrameDecoder.TruncatedFrame(4)), events);
    }

    @Test
    void a_qemu_stream_ending_inside_a_frame_is_reported_after_the_frames_before_it() {
        List<Object> events = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.QEMU, 100),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                        events.add(event);
                    }
                });
        channel.writeInbound(bytes(0, 0, 0, 1, 5, 0, 0, 0, 9, 1, 2));
        assertArrayEquals(new byte[] {5}, readFrame(channel));
        assertFalse(channel.finish());
        assertEquals(List.of(new StreamFrameDecoder.TruncatedFrame(6)), events);
    }

    @Test
    void prefix_write_round_trips_and_refuses_what_does_not_fit() {
        ByteBuf buf = Unpooled.buffer();
        try {
            LengthPrefix.HYPERKIT.write(buf, 0x1234);
            assertArrayEquals(new byte[] {0x34, 0x12}, ByteBufUtil.getBytes(buf));
            assertEquals(0x1234, LengthPrefix.HYPERKIT.read(buf, 0));
            assertThrows(IllegalArgumentException.class, () -> LengthPrefix.HYPERKIT.write(buf, 65536));
        } finally {
            buf.release();
        }
    }
}
