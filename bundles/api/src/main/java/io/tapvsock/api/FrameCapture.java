package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Sees every frame of the virtual network once: each frame the switch receives from a guest port (before it is
 * judged, so dropped frames show too), and each frame the gateway sends. A TCP super-segment (segmentation
 * offload) is seen whole, as the link carries it. The stack binds at most one; with none bound the data path
 * pays one null check per frame.
 *
 * <p>Called on the network loop: an implementation copies what it needs and returns at once (no I/O, no locks
 * a disk write could hold).
 */
@ConsumerType
public interface FrameCapture {

    /**
     * One Ethernet II frame (no FCS, no framing prefix, no virtio-net header).
     *
     * @param frame borrowed: not retained after return. Its readerIndex is at the Ethernet header; the callee
     *     must not move the indexes.
     */
    void capture(ByteBuf frame);
}
