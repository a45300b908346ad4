package io.tapvsock.tap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class VnetHelloTest {

    private static final byte[] GUEST = TapConfig.parseMac("5a:94:ef:e4:0c:ee");
    private static final byte[] DAEMON = TapConfig.parseMac("5a:94:ef:e4:0c:dd");
    /** ff:ff:ff:ff:ff:ff, 5a:94:ef:e4:0c:ee, 88b5, "tapvsock-vnet-hdr/1", 27 zeros. */
    private static final byte[] REQUEST = HexFormat.of().parseHex("ffffffffffff" + "5a94efe40cee" + "88b5"
            + "74617076736f636b2d766e65742d6864722f31" + "00".repeat(27));

    @Test
    void construct_request_isBroadcastFromTheGuest() {
        assertArrayEquals(REQUEST, VnetHello.request(GUEST));
        assertArrayEquals(GUEST, VnetHello.source(ByteBuffer.wrap(REQUEST), 0));
    }

    @Test
    void parse_atAnOffset_distinguishesRequestAndAnswer() {
        ByteBuffer buf = ByteBuffer.allocate(7 + 60);
        buf.position(7).put(VnetHello.request(GUEST));
        assertTrue(VnetHello.isHello(buf, 7, 60));
        assertTrue(VnetHello.isRequest(buf, 7, 60));
        assertFalse(VnetHello.isAnswerFor(buf, 7, 60, GUEST), "a flooded request is no answer");

        buf.position(7).put(VnetHello.to(GUEST, DAEMON));
        assertFalse(VnetHello.isRequest(buf, 7, 60));
        assertTrue(VnetHello.isAnswerFor(buf, 7, 60, GUEST));
        assertFalse(VnetHello.isAnswerFor(buf, 7, 60, DAEMON));
        assertArrayEquals(DAEMON, VnetHello.source(buf, 7));
    }

    @Test
    void parse_refusesAnythingElse_oneByteAtATime() {
        assertFalse(VnetHello.isHello(ByteBuffer.wrap(REQUEST), 0, 59));
        assertFalse(VnetHello.isHello(ByteBuffer.wrap(java.util.Arrays.copyOf(REQUEST, 64)), 0, 64));
        for (int i = 12; i < 60; i++) {
            byte[] changed = REQUEST.clone();
            changed[i] ^= 1;
            assertFalse(VnetHello.isHello(ByteBuffer.wrap(changed), 0, 60), "byte " + i);
        }
    }
}
