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

    /**
     * True when the link takes TCP/IPv4 frames larger than its MTU through {@link #sendSegmented}, and the
     * guest's kernel (or its virtual NIC) cuts them into segments: TCP segmentation and checksum offload, as a
     * TAP opened with a virtio-net header does.
     */
    default boolean segmentsTcp() {
        return false;
    }

    /**
     * Queues one Ethernet II + IPv4 + TCP frame whose payload the link cuts into segments of
     * {@code segmentSize} bytes each (the last may be shorter). Its IPv4 header is complete; its TCP checksum
     * field holds only the pseudo-header sum (folded, not complemented), which segmentation completes. Called
     * only when {@link #segmentsTcp()} is true.
     *
     * @param frame transferred: callee releases
     */
    default void sendSegmented(ByteBuf frame, int segmentSize) {
        frame.release();
        throw new UnsupportedOperationException("this link does not segment TCP");
    }
}
