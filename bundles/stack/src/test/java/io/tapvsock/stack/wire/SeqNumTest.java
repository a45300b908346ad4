package io.tapvsock.stack.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SeqNumTest {

    @Test
    void compares_acrossWraparound() {
        int before = 0xFFFF_FFF0;
        int after = 0x0000_0010;
        assertTrue(SeqNum.lt(before, after));
        assertTrue(SeqNum.le(before, after));
        assertTrue(SeqNum.gt(after, before));
        assertTrue(SeqNum.ge(after, before));
        assertFalse(SeqNum.lt(after, before));
        assertEquals(0x20, SeqNum.diff(after, before));
        assertEquals(after, SeqNum.add(before, 0x20));
        assertEquals(after, SeqNum.max(before, after));
        assertEquals(before, SeqNum.min(after, before));
    }

    @Test
    void inWindow_isHalfOpenAndWraps() {
        int start = 0xFFFF_FFFE;
        assertTrue(SeqNum.inWindow(start, start, 4));
        assertTrue(SeqNum.inWindow(0, start, 4));
        assertTrue(SeqNum.inWindow(1, start, 4));
        assertFalse(SeqNum.inWindow(2, start, 4));
        assertFalse(SeqNum.inWindow(start - 1, start, 4));
        assertFalse(SeqNum.inWindow(start, start, 0));
    }

    @Test
    void between_isClosedAndWraps() {
        assertTrue(SeqNum.between(0, 0xFFFF_FFFF, 1));
        assertTrue(SeqNum.between(1, 0xFFFF_FFFF, 1));
        assertFalse(SeqNum.between(2, 0xFFFF_FFFF, 1));
        assertTrue(SeqNum.between(5, 5, 5));
    }
}
