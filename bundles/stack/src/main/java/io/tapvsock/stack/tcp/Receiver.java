package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.SeqNum;

/**
 * The receive half of the TCB (RFC 9293 §3.3.1): guest data toward the host, the window we offer, held
 * out-of-order segments, when to acknowledge (RFC 1122 §4.2.3.2, RFC 5681 §4.2) and the timestamp to echo
 * (RFC 7323 §4.3). The window is the free room of the connection's buffer toward the host: bytes written to the
 * host socket but not taken by it, and held out-of-order bytes, count against it. Network loop only.
 */
final class Receiver {

    /** IRS: the guest's SYN occupies this sequence number. */
    int irs;
    /** RCV.NXT: the next sequence number expected; every byte before it went to the host socket. */
    int nxt;
    /** Right edge of the last window advertised (RCV.NXT + RCV.WND then); never moves left (RFC 9293 §3.8.6). */
    int advertisedEdge;
    /** Our window scale shift (RFC 7323 §2.2); 0 unless both SYNs carried the option. */
    int windowShift;
    final int bufferSize;
    final OutOfOrderQueue outOfOrder;
    /** Data arrived that no ACK covers yet: acknowledge at the end of the guest's burst. */
    boolean ackPending;
    /** Acknowledge before anything else: second full segment, out-of-order data, a FIN, a window update. */
    boolean ackNow;
    private int fullSegmentsUnacked;
    /** Both sides use timestamps (the guest's SYN offered them). */
    boolean timestamps;
    /** TS.Recent: the guest's timestamp to echo. */
    int tsRecent;
    /** The guest's FIN arrived in order (RCV.NXT counts it). */
    boolean finReceived;
    /** A FIN arrived beyond a hole, at sequence number finSeq. */
    private boolean finHeld;
    private int finSeq;

    Receiver(int bufferSize, int maxOutOfOrderSegments) {
        this.bufferSize = bufferSize;
        this.outOfOrder = new OutOfOrderQueue(maxOutOfOrderSegments);
    }

    /** Starts the receive sequence space at the guest's SYN. */
    void synReceived(int seq) {
        irs = seq;
        nxt = seq + 1;
        advertisedEdge = nxt;
        finHeld = false;
    }

    /** Free room in the buffer toward the host. */
    int freeRoom(HostEnd host) {
        return Math.max(0, bufferSize - host.bufferedBytes() - outOfOrder.bytes());
    }

    /** RCV.WND as last advertised. */
    int window() {
        return Math.max(0, SeqNum.diff(advertisedEdge, nxt));
    }

    /**
     * The window field of a segment about to go out, recording its right edge. SYN segments are never scaled
     * (RFC 7323 §2.2); the edge never moves left, so a full buffer closes the window gradually (RFC 9293 §3.8.6).
     */
    int windowField(HostEnd host, boolean syn) {
        int shift = syn ? 0 : windowShift;
        int field = Math.min(freeRoom(host) >> shift, 0xFFFF);
        int edge = nxt + (field << shift);
        if (SeqNum.lt(edge, advertisedEdge)) {
            int promised = SeqNum.diff(advertisedEdge, nxt);
            field = Math.min((promised + (1 << shift) - 1) >> shift, 0xFFFF);
            edge = nxt + (field << shift);
        }
        advertisedEdge = SeqNum.max(edge, advertisedEdge);
        return field;
    }

    /** The host socket took bytes: tell the guest when the window grew by enough to matter (RFC 9293 §3.8.6.2.2). */
    boolean windowWorthUpdating(HostEnd host, int mss) {
        return freeRoom(host) - window() >= Math.min(bufferSize / 2, mss);
    }

    /** Segment acceptability, the table of RFC 9293 §3.10.7.4 ("first, check sequence number"). */
    boolean acceptable(int seq, int segmentLength) {
        int window = window();
        if (segmentLength == 0) {
            return window == 0 ? seq == nxt : SeqNum.inWindow(seq, nxt, window);
        }
        if (window == 0) {
            return false;
        }
        return SeqNum.inWindow(seq, nxt, window) || SeqNum.inWindow(seq + segmentLength - 1, nxt, window);
    }

    /**
     * Takes the text and FIN of an acceptable segment already trimmed to start at or after RCV.NXT and to end
     * within the window ("seventh, process the segment text"; "eighth, check the FIN bit").
     *
     * @param payload borrowed: not retained after return (retained slices go to the host)
     * @param mss the guest's segment size: two full segments in a row are acknowledged at once
     * @return true when the FIN was consumed in order
     */
    boolean onText(int seq, ByteBuf payload, boolean fin, HostEnd host, int mss) {
        int length = payload.readableBytes();
        if (seq != nxt) {
            if (length > 0 && !outOfOrder.add(seq, payload)) {
                ackNow = true;
                return false;
            }
            if (fin) {
                finHeld = true;
                finSeq = seq + length;
            }
            ackNow = true; // RFC 5681 §4.2: a duplicate ACK at once tells the guest about the hole
            return false;
        }
        if (length > 0) {
            host.write(payload.retainedSlice());
            nxt += length;
            boolean filledHole = outOfOrder.segments() > 0;
            ByteBuf held;
            while ((held = outOfOrder.pollAt(nxt)) != null) {
                int heldLength = held.readableBytes();
                host.write(held);
                nxt += heldLength;
            }
            ackPending = true;
            if (filledHole || (length >= mss && ++fullSegmentsUnacked >= 2)) {
                ackNow = true; // RFC 1122 §4.2.3.2: at least every second full-sized segment; RFC 5681 §4.2
            }
        }
        if (fin || (finHeld && finSeq == nxt)) {
            nxt++;
            finReceived = true;
            finHeld = false;
            ackNow = true;
            return true;
        }
        return false;
    }

    /** An ACK went out: nothing is pending any more. */
    void ackSent() {
        ackPending = false;
        ackNow = false;
        fullSegmentsUnacked = 0;
    }

    /** Timestamp clock: milliseconds (RFC 7323 §5.4 asks for 1 ms to 1 s per tick). */
    static int tsClock(long nanos) {
        return (int) (nanos / 1_000_000L);
    }
}
