package io.tapvsock.stack.tcp;

import io.tapvsock.stack.wire.SeqNum;

/**
 * What the guest's SACK blocks say it holds beyond SND.UNA (RFC 2018 §4, RFC 6675 §3: the scoreboard): sorted,
 * disjoint sequence ranges {@code [left, right)} within {@code (una, max]}. Retransmission skips them and resends
 * the holes between them. Bounded: past {@link #MAX_RANGES} the highest range is forgotten (the sender then merely
 * resends bytes the guest has). Network loop only.
 */
final class SackScoreboard {

    static final int MAX_RANGES = 32;

    private final int[] lefts = new int[MAX_RANGES];
    private final int[] rights = new int[MAX_RANGES];
    private int count;

    int ranges() {
        return count;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /**
     * Records one block the guest reported; blocks outside {@code [una, max]} or empty are ignored (RFC 2018 §4
     * leaves bogus blocks to the sender's judgement; a D-SACK below una is one of them).
     */
    void add(int left, int right, int una, int max) {
        if (!SeqNum.lt(left, right) || SeqNum.lt(left, una) || SeqNum.gt(right, max)) {
            return;
        }
        int at = 0;
        while (at < count && SeqNum.lt(rights[at], left)) {
            at++;
        }
        // Merge every range that touches [left, right) into one.
        int end = at;
        while (end < count && SeqNum.le(lefts[end], right)) {
            left = SeqNum.min(left, lefts[end]);
            right = SeqNum.max(right, rights[end]);
            end++;
        }
        int removed = end - at;
        if (removed == 0) {
            if (count == MAX_RANGES) {
                if (at == count) {
                    return;
                }
                count--; // forget the highest range to make room
            }
            System.arraycopy(lefts, at, lefts, at + 1, count - at);
            System.arraycopy(rights, at, rights, at + 1, count - at);
            count++;
        } else if (removed > 1) {
            System.arraycopy(lefts, end, lefts, at + 1, count - end);
            System.arraycopy(rights, end, rights, at + 1, count - end);
            count -= removed - 1;
        }
        lefts[at] = left;
        rights[at] = right;
    }

    /** SND.UNA moved to {@code una}: forget what it covers. */
    void advance(int una) {
        int drop = 0;
        while (drop < count && SeqNum.le(rights[drop], una)) {
            drop++;
        }
        if (drop > 0) {
            System.arraycopy(lefts, drop, lefts, 0, count - drop);
            System.arraycopy(rights, drop, rights, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && SeqNum.lt(lefts[0], una)) {
            lefts[0] = una;
        }
    }

    /** {@code seq} itself when the guest has not reported it, else the end of the range that holds it. */
    int skip(int seq) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.lt(seq, lefts[i])) {
                return seq;
            }
            if (SeqNum.lt(seq, rights[i])) {
                return rights[i];
            }
        }
        return seq;
    }

    /** The start of the first reported range after {@code seq}, or {@code limit} when there is none before it. */
    int nextReported(int seq, int limit) {
        for (int i = 0; i < count; i++) {
            if (SeqNum.gt(lefts[i], seq)) {
                return SeqNum.min(lefts[i], limit);
            }
        }
        return limit;
    }

    /** The highest sequence number the guest reported holding, plus one; {@code una} when nothing is reported. */
    int highest(int una) {
        return count == 0 ? una : rights[count - 1];
    }

    /** Bytes the guest reported holding. */
    int sackedBytes() {
        int total = 0;
        for (int i = 0; i < count; i++) {
            total += SeqNum.diff(rights[i], lefts[i]);
        }
        return total;
    }

    void clear() {
        count = 0;
    }
}
