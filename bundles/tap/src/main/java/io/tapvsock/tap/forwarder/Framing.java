package io.tapvsock.tap.forwarder;

import java.nio.ByteBuffer;

/**
 * How a stream carries Ethernet frames: each frame behind a length prefix (compat.md §3). Lengths are read and
 * written at absolute indexes; buffer positions never move.
 */
enum Framing {

    /** QEMU's {@code -netdev stream}/{@code socket}: 4-byte big-endian length + frame (tapvsock's qemu transport). */
    QEMU(4, 0xFFFF_FFFFL),
    /** hyperkit's: 2-byte little-endian length + frame (vsock, POST /connect, stdio). */
    HYPERKIT(2, 0xFFFF);

    private final int prefixLength;
    private final long maxLength;

    Framing(int prefixLength, long maxLength) {
        this.prefixLength = prefixLength;
        this.maxLength = maxLength;
    }

    /** The bytes in front of each frame. */
    int prefixLength() {
        return prefixLength;
    }

    /** The largest length the prefix can state: a longer frame cannot be sent this way. */
    long maxLength() {
        return maxLength;
    }

    /** @param buffer borrowed: not retained after return; {@link #prefixLength()} bytes read at {@code index} */
    long readLength(ByteBuffer buffer, int index) {
        if (this == QEMU) {
            return Integer.toUnsignedLong(buffer.getInt(index)); // ByteBuffers are big-endian unless told
        }
        return (buffer.get(index) & 0xFF) | (buffer.get(index + 1) & 0xFF) << 8;
    }

    /**
     * @param buffer borrowed: not retained after return; the prefix is written at {@code index}
     * @param length 0..{@link #maxLength()}
     */
    void writeLength(ByteBuffer buffer, int index, int length) {
        if (this == QEMU) {
            buffer.putInt(index, length);
        } else {
            buffer.put(index, (byte) length).put(index + 1, (byte) (length >>> 8));
        }
    }
}
