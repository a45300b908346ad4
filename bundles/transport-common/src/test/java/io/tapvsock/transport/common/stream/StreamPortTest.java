package io.tapvsock.transport.common.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Decoder + StreamPort on an embedded channel, over a network that records what its one port gets. */
class StreamPortTest {

    /** A network whose ports keep the frames they receive (copied; the original is released). */
    private static final class RecordingNetwork implements VirtualNetwork {
        final List<byte[]> received = new ArrayList<>();
        FrameSink sink;
        int bursts;
        boolean detached;

        @Override
        public EventLoop eventLoop() {
            throw new UnsupportedOperationException();
        }

        @Override
        public NetworkPort attach(FrameSink sink, String description) {
            this.sink = sink;
            return new NetworkPort() {
                @Override
                public int id() {
                    return 7;
                }

                @Override
                public void receive(ByteBuf frame) {
                    try {
                        received.add(ByteBufUtil.getBytes(frame));
                    } finally {
                        frame.release();
                    }
                }

                @Override
                public void receiveOffloaded(ByteBuf frame) {
                    receive(frame);
                }

                @Override
                public void endOfBurst() {
                    bursts++;
                }

                @Override
                public void detach() {
                    detached = true;
                }
            };
        }

        @Override
        public NetworkSettings settings() {
            return NetworkSettings.defaults();
        }
    }

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
}
