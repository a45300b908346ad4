package io.tapvsock.transport.common.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapvsock.transport.common.LinkCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoder + StreamPort on an embedded channel, over a network that records what its one port gets. */
class StreamPortTest {

    private final RecordingNetwork network = new RecordingNetwork();
    private final LinkCounters counters = new LinkCounters(List.of(), List.of(StreamPort.CLOSES));

    private EmbeddedChannel channel() {
        return new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.HYPERKIT, 1514),
                new StreamPort(network, "test", LengthPrefix.HYPERKIT, 1514, counters));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> group(String name) {
        return (Map<String, Object>) counters.snapshot().get(name);
    }

    @Test
    void frames_reach_the_port_and_the_burst_ends_once_per_read() {
        EmbeddedChannel channel = channel();
        StreamPort port = channel.pipeline().get(StreamPort.class);
        assertEquals(7, port.portId());
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {2, 0, 1, 2, 1, 0, 3}));
        assertEquals(2, network.received.size());
        assertArrayEquals(new byte[] {1, 2}, network.received.get(0));
        assertEquals(1, network.bursts);
        assertEquals(2L, counters.snapshot().get("framesIn"));
        channel.close();
        assertTrue(network.detached);
        assertEquals(Map.of("peer-closed", 1L), group(StreamPort.CLOSES));
        assertEquals(-1, port.portId());
    }

    @Test
    void frames_toward_the_peer_get_a_little_endian_prefix() {
        EmbeddedChannel channel = channel();
        network.sink.send(Unpooled.wrappedBuffer(new byte[] {9, 8, 7}));
        network.sink.send(Unpooled.buffer(0));
        network.sink.send(Unpooled.wrappedBuffer(new byte[1515]));
        network.sink.flush();
        ByteBuf prefix = channel.readOutbound();
        ByteBuf frame = channel.readOutbound();
        try {
            assertArrayEquals(new byte[] {3, 0}, ByteBufUtil.getBytes(prefix));
            assertArrayEquals(new byte[] {9, 8, 7}, ByteBufUtil.getBytes(frame));
        } finally {
            prefix.release();
            frame.release();
        }
        assertNull(channel.readOutbound());
        assertEquals(Map.of("empty-frame", 1L, "frame-too-long", 1L), group(LinkCounters.DROPS_OUT));
        assertFalse(channel.finish());
    }

    @Test
    void a_framing_error_closes_the_connection_and_is_counted() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {1, 0, 5, 0, 0}));
        assertEquals(1, network.received.size());
        assertFalse(channel.isOpen());
        assertTrue(network.detached);
        assertEquals(Map.of("bad-length-zero", 1L), group(StreamPort.CLOSES));
    }

    @Test
    void a_stream_ending_inside_a_frame_is_counted_as_truncated() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {9, 0, 1}));
        channel.finish();
        assertEquals(Map.of("truncated", 1L), group(StreamPort.CLOSES));
    }

    @Test
    void bytes_already_read_come_first_when_added_to_an_active_channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.pipeline().addLast(new StreamFrameDecoder(LengthPrefix.HYPERKIT, 1514),
                new StreamPort(network, "test", LengthPrefix.HYPERKIT, 1514, counters));
        channel.pipeline().addFirst(new AlreadyRead(Unpooled.wrappedBuffer(new byte[] {1, 0, 4, 1})));
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 5}));
        assertEquals(2, network.received.size());
        assertArrayEquals(new byte[] {4}, network.received.get(0));
        assertArrayEquals(new byte[] {5}, network.received.get(1));
        assertNull(channel.pipeline().get(AlreadyRead.class));
        assertFalse(channel.finish());
    }

    /** What a transport's extra looks like: frames starting with 0xee stay here, 0x0f ones are offloaded. */
    private final class FilteringPort extends StreamPort {
        final List<Integer> kept = new ArrayList<>();
        Channel sinkChannel;

        FilteringPort() {
            super(network, "filtering", LengthPrefix.HYPERKIT, 1514, counters);
        }

        @Override
        protected StreamFrameSink newSink(Channel channel) {
            sinkChannel = channel;
            return super.newSink(channel);
        }

        @Override
        protected void frameRead(ChannelHandlerContext ctx, ByteBuf frame) {
            int first = frame.getUnsignedByte(frame.readerIndex());
            if (first == 0xee) {
                kept.add(frame.readableBytes());
                frame.release();
            } else {
                deliver(frame, first == 0x0f);
            }
        }
    }

    @Test
    void a_subclass_sees_every_frame_first_and_chooses_how_it_is_delivered() {
        FilteringPort port = new FilteringPort();
        EmbeddedChannel channel = new EmbeddedChannel(new StreamFrameDecoder(LengthPrefix.HYPERKIT, 1514), port);
        assertSame(channel, port.sinkChannel);
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {2, 0, (byte) 0xee, 1, 2, 0, 0x0f, 3, 1, 0, 4}));
        assertEquals(List.of(2), port.kept);
        assertEquals(1, network.offloaded.size());
        assertArrayEquals(new byte[] {0x0f, 3}, network.offloaded.get(0));
        assertEquals(1, network.received.size());
        assertArrayEquals(new byte[] {4}, network.received.get(0));
        assertEquals(2L, counters.snapshot().get("framesIn"), "only the delivered frames count");
        assertFalse(channel.finish());
    }
}
