package io.tapvsock.transport.common.stream;

import io.netty.buffer.ByteBuf;

/**
 * How a stream carries Ethernet frames: a length prefix, then the frame (compat.md section 3).
 * <ul>
 * <li>{@link #QEMU}: 4-byte big-endian length; QEMU's {@code -netdev stream} and {@code -netdev socket}
 * (QEMU's net/stream.c).</li>
 * <li>{@link #HYPERKIT}: 2-byte little-endian length; gvproxy's {@code POST /connect} (gvforwarder), vsock,
 * stdio and VPNKit streams (hyperkit's src/lib/pci_virtio_net_vpnkit.c). Frames are at most 65535 bytes.</li>
 * </ul>
 */
public enum LengthPrefix {
    QEMU(4, 0xFFFF_FFFFL),
    HYPERKIT(2, 0xFFFF);

    private final int length;
    private final long maxValue;

    LengthPrefix(int length, long maxValue) {
        this.length = length;
        this.maxValue = maxValue;
    }

    /** Bytes of the prefix itself. */
    public int length() {
        return length;
    }

    /** The largest frame length the prefix can state. */
    public long maxValue() {
        return maxValue;
    }

    /** The length stated by the prefix at {@code index} (absolute; the buffer is not moved). */
    public long read(ByteBuf buffer, int index) {
        return this == QEMU ? buffer.getUnsignedInt(index) : buffer.getUnsignedShortLE(index);
    }

    /** Appends a prefix stating {@code frameLength}. */
    public void write(ByteBuf buffer, int frameLength) {
        if (frameLength < 0 || frameLength > maxValue) {
            throw new IllegalArgumentException("frame length " + frameLength + " does not fit a " + this + " prefix");
        }
        if (this == QEMU) {
            buffer.writeInt(frameLength);
        } else {
            buffer.writeShortLE(frameLength);
        }
    }
}
