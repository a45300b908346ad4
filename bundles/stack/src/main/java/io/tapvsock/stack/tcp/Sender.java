package io.tapvsock.stack.tcp;

import io.tapvsock.stack.wire.SeqNum;
import io.tapvsock.stack.wire.TcpHeader;
import io.tapvsock.stack.wire.TcpRepr;

/**
 * The send half of the TCB (RFC 9293 §3.3.1): host data toward the guest, its acknowledgment, retransmission
 * (RFC 6298), fast retransmit and recovery (RFC 5681 §3.2, NewReno's partial ACKs of RFC 6582), the guest's SACK
 * blocks (RFC 2018, RFC 6675's scoreboard: retransmissions resend the holes only) and the zero-window probe timer
 * (RFC 9293 §3.8.6.1). Sequence invariant: {@code una <= nxt <= max}, and {@code buffer} holds the data bytes from
 * {@code bufferSeq} on, followed by the FIN when {@code finQueued}. Network loop only.
 */
final class Sender {

    static final long NEVER = Long.MAX_VALUE;

    enum AckOutcome {
        /** Acknowledges something never sent: answer with an ACK and drop the segment. */
        TOO_NEW,
        /** Older than SND.UNA: ignore the acknowledgment, keep processing the segment. */
        OLD,
        /** SND.UNA did not move. */
        SAME,
        /** SND.UNA moved forward. */
        NEW
    }

    /** ISS: our SYN occupies this sequence number. */
    final int iss;
    /** SND.UNA: oldest unacknowledged sequence number; an ACK of {@code una + n} removes n bytes from buffer. */
    int una;
    /** SND.NXT: next sequence number to send; rewound to {@code una} when the retransmission timer fires. */
    int nxt;
    /** Highest sequence number ever sent, plus one: ACKs up to here are acceptable even after a rewind. */
    int max;
    /** Sequence number of the buffer's first byte: {@code iss + 1} until the SYN is acknowledged, then una. */
    int bufferSeq;
    /** SND.WND in bytes, already scaled. */
    int wnd;
    /** SND.WL1, SND.WL2: sequence and acknowledgment numbers of the segment that last updated the window. */
    int wl1;
    int wl2;
    /** The guest's window scale shift (RFC 7323 §2.2); 0 unless both SYNs carried the option. */
    int windowShift;
    /** Payload bytes per segment toward the guest: its MSS option bounded by our MTU, minus our options. */
    int mss;
    /** The host closed its side: a FIN follows the buffered data (sequence number {@link #finSeq()}). */
    boolean finQueued;

    /** Both SYNs carried SACK-permitted: the guest's SACK blocks are honoured. */
    boolean sack;
    /** Ranges above una the guest reported holding (empty unless {@link #sack}). */
    final SackScoreboard scoreboard = new SackScoreboard();
    /** In fast recovery (RFC 6582 §3.2) until una passes {@link #recover}. */
    boolean inRecovery;
    /** RFC 6582 "recover": max when fast recovery began. */
    int recover;
    /** RFC 6675 HighRxt: holes below it were already resent in this recovery. */
    int highRetransmitted;

    final SendBuffer buffer = new SendBuffer();
    final RttEstimator rtt;
    final CongestionControl congestion = new Reno();

    /** When the retransmission timer fires; NEVER while nothing is in flight. */
    long retransmitAt = NEVER;
    /** Consecutive timeouts without progress (RFC 9293 §3.8.3 R2). */
    int timeouts;
    int duplicateAcks;
    /** Fast recovery has holes to resend on the next dispatch (entered, partial ACK, or new SACK news). */
    boolean fastRetransmitPending;
    /** When the next zero-window probe goes out; NEVER unless the guest's window is closed with data waiting. */
    long persistAt = NEVER;
    int probes;
    /** One segment at a time is timed (RFC 6298 §3 with Karn's rule: never a retransmitted one). */
    boolean rttTiming;
    int rttSeq;
    long rttStart;

    Sender(int iss, RttEstimator rtt) {
        this.iss = iss;
        this.una = iss;
        this.nxt = iss;
        this.max = iss;
        this.bufferSeq = iss + 1;
        this.rtt = rtt;
        this.mss = 536;
    }

    /** Sequence number just after the buffered data, where the FIN goes. */
    int finSeq() {
        return bufferSeq + buffer.bytes();
    }

    boolean finSent() {
        return finQueued && SeqNum.gt(max, finSeq());
    }

    boolean finAcked() {
        return finQueued && SeqNum.gt(una, finSeq());
    }

    /**
     * The next hole to resend in fast recovery at or after {@code from}: unreported by SACK, below the highest
     * reported byte (or the first segment at una, which three duplicate ACKs say is missing). Returns {@code end}
     * when there is none.
     */
    int nextHole(int from, int end) {
        int seq = scoreboard.skip(SeqNum.max(from, una));
        return SeqNum.lt(seq, end) ? seq : end;
    }

    /** Where resending holes stops: the highest byte the guest reported, at least one segment past una. */
    int holesEnd() {
        return SeqNum.min(SeqNum.max(scoreboard.highest(una), una + mss), max);
    }

    /** Bytes of sequence space sent and not acknowledged. */
    int inFlight() {
        return SeqNum.diff(max, una);
    }

    /** How far {@code nxt} may advance: the guest's window, bounded by the congestion window. */
    int sendLimit() {
        return una + Math.min(wnd, congestion.window());
    }

    /** True when data or a FIN waits and the windows let some of it go now. */
    boolean hasSendable() {
        int dataEnd = finSeq();
        int room = SeqNum.diff(sendLimit(), nxt);
        if (room <= 0) {
            return false;
        }
        return SeqNum.lt(nxt, dataEnd) || (finQueued && nxt == dataEnd);
    }

    /** True when data or a FIN waits but the guest's window is closed and nothing is in flight to reopen it. */
    boolean needsProbe() {
        return wnd == 0 && una == max && (buffer.bytes() > 0 || (finQueued && !finSent()));
    }

    /**
     * The acknowledgment part of RFC 9293 §3.10.7.4 ("fifth, check the ACK field") for synchronized states.
     */
    AckOutcome onAck(TcpRepr seg, int payloadLength, long now) {
        int ack = seg.ack();
        if (SeqNum.gt(ack, max)) {
            return AckOutcome.TOO_NEW;
        }
        if (SeqNum.lt(ack, una)) {
            return AckOutcome.OLD;
        }
        int window = seg.window() << windowShift;
        int acked = SeqNum.diff(ack, una);
        int reportedBefore = scoreboard.highest(una);
        if (sack) {
            for (TcpRepr.SackBlock block : seg.sackBlocks()) {
                scoreboard.add(block.left(), block.right(), SeqNum.max(una, ack), max);
            }
        }
        if (acked > 0) {
            int dataAcked = Math.max(0, Math.min(SeqNum.diff(ack, bufferSeq), buffer.bytes()));
            buffer.discard(dataAcked);
            bufferSeq += dataAcked;
            una = ack;
            if (SeqNum.lt(nxt, una)) {
                nxt = una;
            }
            if (rttTiming && SeqNum.ge(ack, rttSeq)) {
                rtt.sample(now - rttStart);
                rttTiming = false;
            }
            timeouts = 0;
            duplicateAcks = 0;
            scoreboard.advance(una);
            if (inRecovery) {
                if (SeqNum.ge(ack, recover)) {
                    inRecovery = false; // RFC 6582 §3.2 step 3: a full acknowledgment ends recovery
                } else {
                    fastRetransmitPending = true; // a partial acknowledgment: the next hole is lost too
                }
            }
            congestion.onAck(acked, mss);
            // RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else restart it.
            retransmitAt = una == max ? NEVER : now + rtt.rto();
        } else if (payloadLength == 0 && !seg.has(TcpHeader.SYN | TcpHeader.FIN) && window == wnd && una != max) {
            // RFC 5681 §2: a duplicate ACK acknowledges nothing new, carries nothing and leaves the window.
            if (++duplicateAcks == 3 && !inRecovery) {
                inRecovery = true;
                recover = max;
                highRetransmitted = una;
                fastRetransmitPending = true;
                congestion.onFastRetransmit(inFlight(), mss);
            } else if (inRecovery && SeqNum.gt(scoreboard.highest(una), reportedBefore)) {
                fastRetransmitPending = true; // RFC 6675: new SACK news may reveal more holes
            }
        }
        // RFC 9293 §3.10.7.4: update the window only from a segment not older than the last update.
        if (SeqNum.lt(wl1, seg.seq()) || (wl1 == seg.seq() && SeqNum.le(wl2, ack))) {
            wnd = window;
            wl1 = seg.seq();
            wl2 = ack;
            if (wnd > 0) {
                persistAt = NEVER;
                probes = 0;
            }
        }
        return acked > 0 ? AckOutcome.NEW : AckOutcome.SAME;
    }

    /** RFC 6298 §5.4-5.6: back off, and go back to resend from the oldest unacknowledged byte. */
    void onRetransmitTimeout() {
        timeouts++;
        congestion.onTimeout(inFlight(), mss);
        rtt.backOff();
        nxt = una;
        rttTiming = false;
        duplicateAcks = 0;
        fastRetransmitPending = false;
        inRecovery = false;
        retransmitAt = NEVER;
    }

    /** A segment that starts at {@code seq} and occupies {@code length} sequence numbers went out. */
    void sent(int seq, int length, long now) {
        if (!SeqNum.lt(seq, max) && !rttTiming && length > 0) {
            rttTiming = true;
            rttSeq = seq + length;
            rttStart = now;
        }
        int end = seq + length;
        if (seq == nxt) {
            nxt = end;
        }
        if (SeqNum.gt(end, max)) {
            max = end;
        }
        if (retransmitAt == NEVER && length > 0) {
            retransmitAt = now + rtt.rto();
        }
    }

    /** Arms the probe timer when the window is closed with data waiting; probes back off like the RTO. */
    void armProbe(long now) {
        if (needsProbe()) {
            if (persistAt == NEVER) {
                persistAt = now + probeInterval();
            }
        } else {
            persistAt = NEVER;
            probes = 0;
        }
    }

    void probeSent(long now) {
        probes++;
        persistAt = now + probeInterval();
    }

    private long probeInterval() {
        return rtt.backedOff(probes);
    }
}
