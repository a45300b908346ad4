package io.tapvsock.stack.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Arrays;

/** Helpers for the byte-array tests of the wire views. */
final class WireTesting {

    private WireTesting() {
    }

    static int[] ints(int... values) {
        return values;
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    /** A buffer filled with 0xA5, so a setter that forgets a byte shows. */
    static ByteBuf filled(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xA5);
        return Unpooled.wrappedBuffer(bytes);
    }

    static void assertBytes(byte[] expected, ByteBuf actual) {
        assertArrayEquals(expected, ByteBufUtil.getBytes(actual, 0, expected.length));
    }
}
