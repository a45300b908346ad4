package io.tapvsock.transport.qemu;

import io.netty.buffer.ByteBuf;

/**
 * How a stream carries Ethernet frames: a length prefix, then the frame (compat.md section 3).
 * <ul>
 * <li>{@link #QEMU}: 4-byte big-endian length; QEMU's {@code -netdev stream} and {@code -netdev socket}.</li>
 * <li>{@link #HYPERKIT}: 2-byte little-endian length; gvproxy's {@code POST /connect} (gvforwarder), vsock,
 * stdio and VPNKit streams. Frames are at most 65535 bytes.</li>
 * </ul>
 */
enum StreamFraming {
    QEMU(4),
    HYPERKIT(2);

    private final int prefixLength;

    StreamFraming(int prefixLength) {
        this.prefixLength = prefixLength;
    }

    int prefixLength() {
        return prefixLength;
    }

    /** The largest length the prefix can state. */
    long maxLength() {
        return this == QEMU ? 0xFFFF_FFFFL : 0xFFFF;
    }

    /** The length stated by the prefix at {@code index} (absolute; the buffer is not moved). */
    long length(ByteBuf buffer, int index) {
        return this == QEMU ? buffer.getUnsignedInt(index) : buffer.getUnsignedShortLE(index);
    }

    /** Appends a prefix stating {@code length}. */
    void writeLength(ByteBuf buffer, int length) {
        if (this == QEMU) {
            buffer.writeInt(length);
        } else {
            buffer.writeShortLE(length);
        }
    }
}
