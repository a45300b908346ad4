package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.SeqNum;
import io.tapvsock.stack.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest segments that arrived ahead of a hole (RFC 9293 §3.10.7.4, "segment text"; RFC 5681 §4.2 asks for an
 * immediate duplicate ACK then). Bounded by a segment count; the window bounds the bytes. Sorted by sequence
 * number. Network loop only.
 */
final class OutOfOrderQueue {

    /** @param data retained; starts at sequence number {@code seq} */
    private record Held(int seq, ByteBuf data) {
        int end() {
            return seq + data.readableBytes();
        }
    }

    private final ArrayList<Held> held = new ArrayList<>();
    private final int maxSegments;
    private int bytes;

    OutOfOrderQueue(int maxSegments) {
        this.maxSegments = maxSegments;
    }

    /**
     * Holds {@code payload}, which starts at {@code seq} beyond the next expected byte.
     *
     * @param payload borrowed: not retained after return (a retained slice is kept)
     * @return false when the queue is full and the segment was not kept
     */
    boolean add(int seq, ByteBuf payload) {
        int end = seq + payload.readableBytes();
        int at = 0;
        while (at < held.size() && SeqNum.lt(held.get(at).seq(), seq)) {
            at++;
        }
        // Already covered by a held segment that starts no later: nothing new.
        if (at > 0 && SeqNum.ge(held.get(at - 1).end(), end)) {
            return true;
        }
        if (at < held.size() && held.get(at).seq() == seq && SeqNum.ge(held.get(at).end(), end)) {
            return true;
        }
        if (held.size() >= maxSegments) {
            return false;
        }
        ByteBuf data = payload.retainedSlice();
        held.add(at, new Held(seq, data));
        bytes += data.readableBytes();
        return true;
    }

    /**
     * Takes the held bytes that continue at {@code next}, dropping what lies wholly before it.
     *
     * @return a retained slice: caller releases; null when nothing continues at {@code next}
     */
    ByteBuf pollAt(int next) {
        while (!held.isEmpty()) {
            Held first = held.get(0);
            if (SeqNum.gt(first.seq(), next)) {
                return null;
            }
            held.remove(0);
            bytes -= first.data().readableBytes();
            if (SeqNum.le(first.end(), next)) {
                first.data().release();
                continue;
            }
            ByteBuf data = first.data();
            data.skipBytes(next - first.seq());
            return data;
        }
        return null;
    }

    /**
     * The contiguous ranges held, merged, in sequence order, as SACK blocks (RFC 2018 §3: {@code [left, right)}).
     */
    List<TcpRepr.SackBlock> ranges() {
        List<TcpRepr.SackBlock> out = new ArrayList<>();
        for (int i = 0; i < held.size(); ) {
            int left = held.get(i).seq();
            int right = held.get(i).end();
            i++;
            while (i < held.size() && SeqNum.le(held.get(i).seq(), right)) {
                right = SeqNum.max(right, held.get(i).end());
                i++;
            }
            out.add(new TcpRepr.SackBlock(left, right));
        }
        return out;
    }

    /** Bytes held; they count against the window offered to the guest. */
    int bytes() {
        return bytes;
    }

    int segments() {
        return held.size();
    }

    /** Releases everything. */
    void clear() {
        for (Held h : held) {
            h.data().release();
        }
        held.clear();
        bytes = 0;
    }
}
