package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.tapvsock.stack.wire.SeqNum;
import io.tapvsock.stack.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;

/**
 * The receive half of the TCB (RFC 9293 §3.3.1): guest data toward the host, the window we offer, held
 * out-of-order segments and the SACK blocks that report them (RFC 2018 §4), when to acknowledge (RFC 1122
 * §4.2.3.2, RFC 5681 §4.2), the timestamp to echo (RFC 7323 §4.3) and PAWS (RFC 7323 §5). The window is the free room of the connection's buffer toward the host: bytes written to the
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
    /** Data arrived that no ACK covers yet: acknowledge by {@link #ackDue}, or with the next segment we send. */
    boolean ackPending;
    /** When a pending ACK must go out alone (delayed ACK); NEVER while none is pending. */
    long ackDue = Sender.NEVER;
    /** Acknowledge before anything else: second segment, out-of-order data, a FIN, a window update. */
    boolean ackNow;
    private int segmentsUnacked;
    /** Both sides use timestamps (the guest's SYN offered them). */
    boolean timestamps;
    /** TS.Recent: the guest's timestamp to echo; segments with an older TSval are rejected (PAWS). */
    int tsRecent;
    /** When TS.Recent was last set: a TS.Recent idle for 24 days is invalid (RFC 7323 §5.5). */
    long tsRecentAt;
    /** Last.ACK.sent of RFC 7323 §4.3: the ACK field of the last segment we sent. */
    int lastAckSent;
    /** Both SYNs carried SACK-permitted: our ACKs report held out-of-order data. */
    boolean sackPermitted;
    /** Sequence numbers of the most recent out-of-order arrivals, newest first (RFC 2018 §4 orders blocks so). */
    private final int[] recentArrivals = new int[MAX_SACK_BLOCKS];
    private int recentCount;
    /** The guest's FIN arrived in order (RCV.NXT counts it). */
    boolean finReceived;
    /** A FIN arrived beyond a hole, at sequence number finSeq. */
    private boolean finHeld;
    private int finSeq;

    /** RFC 2018 §3: at most four blocks fit, three next to the timestamps option. */
    static final int MAX_SACK_BLOCKS = 4;
    /** RFC 7323 §5.5: 24 days, in nanoseconds. */
    private static final long PAWS_IDLE_LIMIT = 24L * 24 * 3600 * 1_000_000_000L;

    Receiver(int bufferSize, int maxOutOfOrderSegments) {
        this.bufferSize = bufferSize;
        this.outOfOrder = new OutOfOrderQueue(maxOutOfOrderSegments);
    }

    /** Starts the receive sequence space at the guest's SYN. */
    void synReceived(int seq) {
        irs = seq;
        nxt = seq + 1;
        advertisedEdge = nxt;
        lastAckSent = nxt;
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
     * @param ackDelay how long an ACK for one lone segment may wait for data of ours to ride on
     * @return true when the FIN was consumed in order
     */
    boolean onText(int seq, ByteBuf payload, boolean fin, HostEnd host, long now, long ackDelay) {
        int length = payload.readableBytes();
        if (seq != nxt) {
            if (length > 0 && !outOfOrder.add(seq, payload)) {
                ackNow = true;
                return false;
            }
            if (length > 0) {
                arrivedOutOfOrder(seq);
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
            if (!ackPending) {
                ackPending = true;
                ackDue = now + ackDelay;
            }
            // RFC 1122 §4.2.3.2: at least every second full-sized segment (here every second segment: small ones
            // come from interactive or app-limited senders, whose window must not wait on the timer); RFC 5681
            // §4.2: at once when a hole fills. A lone segment's ACK waits, up to ackDelay, for the host's answer.
            if (filledHole || ++segmentsUnacked >= 2) {
                ackNow = true;
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

    /**
     * RFC 7323 §5.3 R1: a segment whose TSval is older than TS.Recent is an old duplicate; unless TS.Recent is
     * older than 24 days, when it no longer means anything (§5.5).
     */
    boolean pawsRejects(int tsVal, long now) {
        if (!SeqNum.lt(tsVal, tsRecent)) {
            return false;
        }
        if (now - tsRecentAt > PAWS_IDLE_LIMIT) {
            tsRecent = tsVal;
            tsRecentAt = now;
            return false;
        }
        return true;
    }

    /** RFC 7323 §4.3 (3): remember the TSval of a segment that covers the left edge of the window. */
    void updateTsRecent(int tsVal, int seq, long now) {
        if (SeqNum.ge(tsVal, tsRecent) && SeqNum.le(seq, lastAckSent)) {
            tsRecent = tsVal;
            tsRecentAt = now;
        }
    }

    /**
     * The SACK blocks for our next ACK (RFC 2018 §4): the range holding the most recent arrival first, then those
     * of earlier arrivals, then the rest; empty when SACK is off or nothing is held.
     */
    List<TcpRepr.SackBlock> sackBlocks() {
        if (!sackPermitted || outOfOrder.segments() == 0) {
            return List.of();
        }
        List<TcpRepr.SackBlock> ranges = outOfOrder.ranges();
        List<TcpRepr.SackBlock> out = new ArrayList<>(Math.min(ranges.size(), MAX_SACK_BLOCKS));
        for (int i = 0; i < recentCount && out.size() < MAX_SACK_BLOCKS; i++) {
            for (TcpRepr.SackBlock range : ranges) {
                if (SeqNum.inWindow(recentArrivals[i], range.left(), SeqNum.diff(range.right(), range.left()))
                        && !out.contains(range)) {
                    out.add(range);
                }
            }
        }
        for (int i = ranges.size() - 1; i >= 0 && out.size() < MAX_SACK_BLOCKS; i--) {
            if (!out.contains(ranges.get(i))) {
                out.add(ranges.get(i));
            }
        }
        return out;
    }

    /** Option bytes the SACK blocks of our next ACK take, so data segments leave room for them. */
    int sackOptionLength() {
        if (!sackPermitted || outOfOrder.segments() == 0) {
            return 0;
        }
        int blocks = Math.min(outOfOrder.segments(), timestamps ? MAX_SACK_BLOCKS - 1 : MAX_SACK_BLOCKS);
        return 4 + 8 * blocks;
    }

    private void arrivedOutOfOrder(int seq) {
        int keep = Math.min(recentCount, MAX_SACK_BLOCKS - 1);
        System.arraycopy(recentArrivals, 0, recentArrivals, 1, keep);
        recentArrivals[0] = seq;
        recentCount = keep + 1;
    }

    /** An ACK went out: nothing is pending any more. */
    void ackSent() {
        lastAckSent = nxt;
        ackPending = false;
        ackDue = Sender.NEVER;
        ackNow = false;
        segmentsUnacked = 0;
    }

    /** Timestamp clock: milliseconds (RFC 7323 §5.4 asks for 1 ms to 1 s per tick). */
    static int tsClock(long nanos) {
        return (int) (nanos / 1_000_000L);
    }
}
