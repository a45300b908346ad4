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
     */
    void emit(int source, int destination, TcpRepr segment, ByteBuf payload);
}
