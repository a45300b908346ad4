package io.tapvsock.transport.vsock.impl;

import io.netty.channel.ChannelPipeline;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.LengthPrefix;
import io.tapvsock.transport.common.stream.StreamFrameDecoder;
import io.tapvsock.transport.common.stream.StreamPort;

/** The pipeline every hyperkit-framed link ends with: the frame decoder, then the switch port. */
final class HyperkitStream {

    /** The largest frame a 2-byte length can state. */
    static final int MAX_FRAME_SIZE = 65535;

    private HyperkitStream() {
    }

    /**
     * Appends the decoder and the port. On an active channel the port attaches at once.
     *
     * @param maxFrameSize the largest frame accepted from the peer and sent to it; a longer one from the peer
     *                     closes the connection
     * @return the port handler (for its id and for closing with a reason)
     */
    static StreamPort addTo(ChannelPipeline pipeline, VirtualNetwork network, String description, int maxFrameSize,
            LinkCounters counters) {
        StreamPort port = new StreamPort(network, description, LengthPrefix.HYPERKIT, maxFrameSize, counters);
        pipeline.addLast(new StreamFrameDecoder(LengthPrefix.HYPERKIT, maxFrameSize), port);
        return port;
    }
}
