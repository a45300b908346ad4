package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.TcpRepr;

/** Where {@link TcpConnection#dispatch} puts segments for the guest. */
@FunctionalInterface
interface SegmentSink {

    /**
     * @param source our address (the guest's destination)
     * @param destination the guest's address
     * @param payload transferred: callee releases; null for a segment without data
     * @param segmentSize 0 for a segment as it goes on the wire; else the link segments it (its payload may be
     *     larger) into segments of this many payload bytes and completes its checksum
     */
    void emit(int source, int destination, TcpRepr segment, ByteBuf payload, int segmentSize);
}
