package io.tapvsock.stack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.TcpRepr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sender's SACK scoreboard and the receiver's held ranges, including ranges across the sequence wrap. */
class SackScoreboardTest {

    @Test
    void add_mergesTouchingAndOverlappingRanges() {
        SackScoreboard board = new SackScoreboard();
        board.add(300, 400, 100, 1000);
        board.add(500, 600, 100, 1000);
        board.add(400, 450, 100, 1000);
        assertEquals(2, board.ranges());
        board.add(440, 520, 100, 1000);
        assertEquals(1, board.ranges());
        assertEquals(100, board.skip(100));
        assertEquals(300, board.nextReported(100, 1000));
        assertEquals(600, board.skip(300));
        assertEquals(600, board.highest(100));
        assertEquals(300, board.sackedBytes());
    }

    @Test
    void add_ignoresBlocksOutsideTheFlight() {
        SackScoreboard board = new SackScoreboard();
        board.add(50, 150, 100, 1000);
        board.add(900, 1100, 100, 1000);
        board.add(500, 500, 100, 1000);
        assertTrue(board.isEmpty());
    }

    @Test
    void advance_dropsAndTrimsCoveredRanges() {
        SackScoreboard board = new SackScoreboard();
        board.add(200, 300, 100, 1000);
        board.add(400, 500, 100, 1000);
        board.advance(450);
        assertEquals(1, board.ranges());
        assertEquals(500, board.skip(450));
        board.advance(500);
        assertTrue(board.isEmpty());
    }

    @Test
    void rangesAcrossTheWrap() {
        SackScoreboard board = new SackScoreboard();
        int una = 0xFFFF_FF00;
        board.add(una + 0x80, una + 0x180, una, una + 0x1000);
        assertEquals(una + 0x180, board.skip(una + 0x100));
        assertEquals(una + 0x80, board.nextReported(una, una + 0x1000));
        board.advance(una + 0x100);
        assertEquals(0x80, board.sackedBytes());
    }

    @Test
    void add_beyondTheBound_forgetsTheHighest() {
        SackScoreboard board = new SackScoreboard();
        for (int i = 0; i < SackScoreboard.MAX_RANGES + 5; i++) {
            board.add(1000 + 20 * i, 1010 + 20 * i, 0, 100_000);
        }
        assertEquals(SackScoreboard.MAX_RANGES, board.ranges());
        board.add(990, 995, 0, 100_000);
        assertEquals(SackScoreboard.MAX_RANGES, board.ranges());
        assertEquals(995, board.skip(990));
    }

    @Test
    void outOfOrderQueue_rangesMergeAdjacentSegments() {
        OutOfOrderQueue queue = new OutOfOrderQueue(8);
        ByteBuf five = Unpooled.wrappedBuffer(new byte[5]);
        try {
            queue.add(-3, five);
            queue.add(2, five);
            queue.add(20, five);
            assertEquals(List.of(new TcpRepr.SackBlock(-3, 7), new TcpRepr.SackBlock(20, 25)), queue.ranges());
        } finally {
            five.release();
            queue.clear();
        }
    }
}
