package io.tapvsock.transport.common.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapvsock.transport.common.LinkCounters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sink's records on an embedded channel: QEMU's prefix, and a subclass's header between prefix and frame. */
class StreamFrameSinkTest {

    private final LinkCounters counters = new LinkCounters(List.of(), List.of());

    /** A two-byte header: 0xaa, then the kind the caller gave write(); switched on by a flag. */
    private static final class HeaderSink extends StreamFrameSink {
        boolean withHeader;

        HeaderSink(Channel channel, LinkCounters counters) {
            super(channel, LengthPrefix.QEMU, 100, counters);
        }

        void sendAs(ByteBuf frame, int kind) {
            write(frame, null, kind);
        }

        @Override
        protected int headerLength() {
            return withHeader ? 2 : 0;
        }

        @Override
        protected void writeHeader(ByteBuf head, int index, ByteBuf frame, int kind) {
            head.setByte(index, 0xaa);
            head.setByte(index + 1, kind);
        }
    }

    /** Reads one record (two buffers: prefix and header, then the frame) as one array. */
    private static byte[] record(EmbeddedChannel channel) {
        ByteBuf head = channel.readOutbound();
        ByteBuf frame = channel.readOutbound();
        try {
            byte[] first = ByteBufUtil.getBytes(head);
            byte[] second = ByteBufUtil.getBytes(frame);
            byte[] all = new byte[first.length + second.length];
            System.arraycopy(first, 0, all, 0, first.length);
            System.arraycopy(second, 0, all, first.length, second.length);
            return all;
        } finally {
            head.release();
            frame.release();
        }
    }

    @Test
    void qemu_records_have_a_four_byte_big_endian_prefix() {
        EmbeddedChannel channel = new EmbeddedChannel();
        StreamFrameSink sink = new StreamFrameSink(channel, LengthPrefix.QEMU, 100, counters);
        sink.send(Unpooled.wrappedBuffer(new byte[] {7, 8}));
        sink.flush();
        assertArrayEquals(new byte[] {0, 0, 0, 2, 7, 8}, record(channel));
        assertNull(channel.readOutbound());
        assertTrue(sink.isWritable());
        assertFalse(channel.finish());
    }

    @Test
    void a_header_goes_between_prefix_and_frame_and_the_prefix_counts_both() {
        EmbeddedChannel channel = new EmbeddedChannel();
        HeaderSink sink = new HeaderSink(channel, counters);
        sink.send(Unpooled.wrappedBuffer(new byte[] {1}));
        sink.withHeader = true;
        sink.send(Unpooled.wrappedBuffer(new byte[] {2, 3}));
        sink.sendAs(Unpooled.wrappedBuffer(new byte[] {4}), 9);
        sink.flush();
        assertArrayEquals(new byte[] {0, 0, 0, 1, 1}, record(channel));
        assertArrayEquals(new byte[] {0, 0, 0, 4, (byte) 0xaa, StreamFrameSink.COMPLETE, 2, 3}, record(channel));
        assertArrayEquals(new byte[] {0, 0, 0, 3, (byte) 0xaa, 9, 4}, record(channel));
        assertEquals(3L, counters.snapshot().get("framesOut"));
        assertEquals(4L, counters.snapshot().get("bytesOut"), "frames without headers");
        assertFalse(channel.finish());
    }

    @Test
    void a_closed_connection_drops_and_counts_link_down() {
        EmbeddedChannel channel = new EmbeddedChannel();
        HeaderSink sink = new HeaderSink(channel, counters);
        channel.close();
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1});
        sink.sendAs(frame, 1);
        assertEquals(0, frame.refCnt());
        assertEquals(Map.of("link-down", 1L), counters.snapshot().get(LinkCounters.DROPS_OUT));
        assertFalse(channel.finish());
    }
}
