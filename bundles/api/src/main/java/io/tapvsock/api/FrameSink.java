package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ConsumerType;

/** Where the network delivers frames for one guest; implemented by a transport. Network loop only. */
@ConsumerType
public interface FrameSink {

    /**
     * Queues one Ethernet II frame toward the guest; nothing is written to the wire before {@link #flush()}.
     * A sink that cannot take the frame (link gone, frame over its limit) drops it and counts it.
     *
     * @param frame transferred: callee releases
     */
    void send(ByteBuf frame);

    /** Writes everything queued since the last flush. */
    void flush();

    /** False while the link's outbound buffer is above its high-water mark: senders should hold back. */
    boolean isWritable();
}
