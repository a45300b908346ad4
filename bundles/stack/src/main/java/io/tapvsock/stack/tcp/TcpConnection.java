package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.SeqNum;
import io.tapvsock.stack.wire.TcpHeader;
import io.tapvsock.stack.wire.TcpRepr;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * One TCP connection with a guest, the host socket behind it seen through {@link HostEnd}. Heads up: read at
 * least RFC 9293 (§3.3 states, §3.4 sequence numbers, §3.8 timers and windows, §3.10.7 segment arrival), RFC
 * 1122 §4.2 (§4.2.3.6 keepalives), RFC 7323 (window scale, timestamps, PAWS), RFC 2018 (SACK), RFC 6298
 * (RTO), RFC 5681 (fast retransmit), RFC 6582 (NewReno), RFC 6675 (SACK-based loss recovery), RFC 5961 (challenge
 * ACKs) and RFC 1337 (TIME-WAIT hazards) before editing.
 *
 * <p>{@link #process} takes one inbound segment and returns at most an immediate reply; {@link #dispatch} is
 * the only path that transmits (handshake, data, retransmissions, ACKs, probes) and fires timers;
 * {@link #pollAt} says when dispatch next has work. Time is an argument in nanoseconds; nothing here schedules
 * anything or reads a clock. State changes go through {@link #setState}. Network loop only.
 */
public final class TcpConnection {

    /** A super-segment's payload limit: IPv4's 64 KiB less the IPv4 header and the largest TCP header. */
    static final int MAX_SUPER_SEGMENT_PAYLOAD = 65535 - 20 - 60;
    static final long NEVER = Sender.NEVER;

    private static final System.Logger LOG = System.getLogger(TcpConnection.class.getName());

    /** RFC 9293 §3.7.1: the MSS to assume when the SYN carries none. */
    static final int DEFAULT_MSS = 536;
    /** The timestamps option with its two NOPs: room it takes from every segment's payload. */
    private static final int TIMESTAMPS_LENGTH = 12;

    private final TcpSettings settings;
    private final HostEnd host;
    private final TcpStats stats;
    /** Our end: the address and port the guest connected to. */
    final int localIp;
    final int localPort;
    /** The guest's end. */
    final int remoteIp;
    final int remotePort;
    /** The MSS we announce: the link MTU minus the IPv4 and TCP headers. */
    private final int ourMss;

    final Sender snd;
    final Receiver rcv;
    private TcpState state = TcpState.CLOSED;
    /** Whether both SYNs carried the window scale option. */
    private boolean windowScaling;
    private long timeWaitUntil = NEVER;
    /** The connection was aborted on our side: one RST to the guest is due. */
    private boolean resetPending;
    /** When the guest last sent anything: the idle timers (keepalive, FIN-WAIT-2) count from here. */
    private long lastHeard;
    /** Probes (keepalive or zero-window) sent since the guest last sent anything. */
    private int unansweredProbes;
    /**
     * The guest's link segments TCP (segmentation offload): data leaves in super-segments of up to 64 KiB with a
     * partial checksum, cut into MSS-sized segments by the guest's kernel. Set before each dispatch.
     */
    private boolean segmentOffload;

    TcpConnection(TcpSettings settings, HostEnd host, TcpStats stats, int localIp, int localPort, int remoteIp,
            int remotePort, int iss, int mtu) {
        this.settings = settings;
        this.host = host;
        this.stats = stats;
        this.localIp = localIp;
        this.localPort = localPort;
        this.remoteIp = remoteIp;
        this.remotePort = remotePort;
        this.ourMss = mtu - 40;
        this.snd = new Sender(iss, new RttEstimator(settings.initialRto(), settings.minRto(), settings.maxRto()));
        this.rcv = new Receiver(settings.receiveBuffer(), settings.maxOutOfOrderSegments());
    }

    public TcpState state() {
        return state;
    }

    public boolean isClosed() {
        return state == TcpState.CLOSED;
    }

    // ---------------------------------------------------------------- opening

    /**
     * A guest SYN for a new connection (RFC 9293 §3.10.7.2, LISTEN): remember it and its options. The SYN-ACK
     * waits for {@link #accept}, which comes once the host connect succeeded.
     */
    void listen(TcpRepr syn, long now) {
        setState(TcpState.LISTEN);
        takeSynOptions(syn, now);
    }

    /** {@link #listen(TcpRepr, long)} at time 0. */
    void listen(TcpRepr syn) {
        listen(syn, 0);
    }

    /** The host connect succeeded: SYN-RECEIVED; the next dispatch sends the SYN-ACK. */
    void accept() {
        if (state == TcpState.LISTEN) {
            setState(TcpState.SYN_RECEIVED);
        }
    }

    /** The host connect failed: the next dispatch sends the guest a RST (RFC 9293 §3.10.7.1 for its SYN). */
    void refuse() {
        abort();
    }

    /** We open toward the guest (port forwarding): SYN-SENT; the next dispatch sends the SYN. */
    void connect() {
        setState(TcpState.SYN_SENT);
        windowScaling = true;
        rcv.windowShift = settings.windowScale();
        snd.mss = Math.max(64, Math.min(DEFAULT_MSS, ourMss));
    }

    private void takeSynOptions(TcpRepr syn, long now) {
        rcv.synReceived(syn.seq());
        lastHeard = now;
        // RFC 2018 §2: SACK only when both SYNs carry SACK-permitted (ours always does when theirs did).
        snd.sack = syn.sackPermitted();
        rcv.sackPermitted = syn.sackPermitted();
        rcv.tsRecentAt = now;
        windowScaling = syn.windowScale() >= 0;
        snd.windowShift = windowScaling ? syn.windowScale() : 0;
        rcv.windowShift = windowScaling ? settings.windowScale() : 0;
        rcv.timestamps = syn.timestamps();
        rcv.tsRecent = syn.tsVal();
        int guestMss = syn.mss() > 0 ? syn.mss() : DEFAULT_MSS;
        // RFC 6691: the MSS counts payload only; the timestamps option comes out of it.
        snd.mss = Math.max(64, Math.min(guestMss, ourMss) - (rcv.timestamps ? TIMESTAMPS_LENGTH : 0));
        snd.wnd = syn.window(); // RFC 7323 §2.2: the window of a SYN is never scaled
        snd.wl1 = syn.seq();
        snd.wl2 = syn.ack();
    }

    // ---------------------------------------------------------------- host events

    /**
     * Data read from the host socket, for the guest.
     *
     * @param data transferred: callee releases
     */
    void hostData(ByteBuf data) {
        if (!state.sendsData() || snd.finQueued) {
            data.release();
            return;
        }
        snd.buffer.append(data);
    }

    /** The host closed its output: a FIN follows the data (RFC 9293 §3.10.4 CLOSE). */
    void hostEof() {
        if (state.sendsData() || state == TcpState.SYN_RECEIVED) {
            snd.finQueued = true;
        }
    }

    /** The host socket was reset or failed: reset the guest's side too. */
    void hostReset() {
        if (state != TcpState.CLOSED) {
            abort();
        }
    }

    /** Whether to read the host socket now: the guest's window has room beyond what is buffered for it. */
    boolean wantsHostData() {
        return hostDataRoom() > 0;
    }

    /** How many bytes of host data the guest's window (and our send buffer) takes now beyond what is buffered. */
    int hostDataRoom() {
        if (!state.sendsData() || snd.finQueued) {
            return 0;
        }
        return Math.max(0, Math.min(settings.sendBuffer(), snd.wnd) - snd.buffer.bytes());
    }

    /** The host socket took buffered bytes: acknowledge at once if the window grew enough to matter. */
    void hostDrained() {
        if (state.receivesData() && rcv.windowWorthUpdating(host, snd.mss)) {
            rcv.ackNow = true;
        }
    }

    /** Gives the connection up on our side: RST to the guest, host socket closed at once. */
    void abort() {
        if (state != TcpState.CLOSED && state != TcpState.TIME_WAIT) {
            resetPending = true;
        }
        host.reset();
        setState(TcpState.CLOSED);
    }

    /** Whether dispatch should run before the guest's burst ends (a RST or an immediate ACK). */
    boolean urgent() {
        return resetPending || rcv.ackNow;
    }

    // ---------------------------------------------------------------- inbound

    /**
     * One segment from the guest (RFC 9293 §3.10.7).
     *
     * @param payload borrowed: not retained after return (retained slices go to the host); may be null
     * @return an immediate reply (an ACK or RST), or null
     */
    public TcpRepr process(TcpRepr seg, ByteBuf payload, long now) {
        int length = payload == null ? 0 : payload.readableBytes();
        lastHeard = now;
        unansweredProbes = 0;
        return switch (state) {
            case CLOSED -> null;
            case LISTEN -> processListen(seg, now);
            case SYN_SENT -> processSynSent(seg, now);
            default -> processSynchronized(seg, payload, length, now);
        };
    }

    /** The host connect is still running (RFC 9293 §3.10.7.2). */
    private TcpRepr processListen(TcpRepr seg, long now) {
        if (seg.has(TcpHeader.RST)) {
            // The guest gave up before the host answered.
            stats.resetsReceived++;
            host.reset();
            setState(TcpState.CLOSED);
            return null;
        }
        if (seg.has(TcpHeader.ACK)) {
            // Nothing of ours can be acknowledged yet: <SEQ=SEG.ACK><CTL=RST>.
            return reset(seg.ack());
        }
        if (seg.has(TcpHeader.SYN) && seg.seq() != rcv.irs) {
            takeSynOptions(seg, now); // a new attempt on the same ports; a retransmission is simply absorbed
        }
        return null;
    }

    /** We sent a SYN (RFC 9293 §3.10.7.3). */
    private TcpRepr processSynSent(TcpRepr seg, long now) {
        boolean ackOk = seg.has(TcpHeader.ACK) && seg.ack() == snd.iss + 1;
        if (seg.has(TcpHeader.ACK) && !ackOk) {
            return seg.has(TcpHeader.RST) ? null : reset(seg.ack());
        }
        if (seg.has(TcpHeader.RST)) {
            if (ackOk) {
                stats.resetsReceived++;
                host.reset();
                setState(TcpState.CLOSED);
            }
            return null;
        }
        if (!seg.has(TcpHeader.SYN) || !ackOk) {
            return null; // simultaneous open is not something a guest does to a NAT: ignore it
        }
        int ourShift = rcv.windowShift;
        takeSynOptions(seg, now);
        if (!windowScaling) {
            rcv.windowShift = 0;
        } else {
            rcv.windowShift = ourShift;
        }
        established(seg, now);
        rcv.ackNow = true;
        return null;
    }

    private TcpRepr processSynchronized(TcpRepr seg, ByteBuf payload, int length, long now) {
        if (state == TcpState.SYN_RECEIVED && seg.has(TcpHeader.SYN) && !seg.has(TcpHeader.ACK)
                && seg.seq() == rcv.irs) {
            // The guest resent its SYN: our SYN-ACK was lost; send it again now.
            snd.nxt = snd.iss;
            return null;
        }
        // RFC 7323 §5.3 R1, before the window test: PAWS. An old timestamp marks an old duplicate: ACK and drop.
        if (rcv.timestamps && seg.timestamps() && !seg.has(TcpHeader.RST) && rcv.pawsRejects(seg.tsVal(), now)) {
            LOG.log(Level.DEBUG, () -> this + ": PAWS (TSval " + Integer.toUnsignedString(seg.tsVal())
                    + " older than " + Integer.toUnsignedString(rcv.tsRecent) + ")");
            stats.dropped("paws");
            return ack(now);
        }
        // First: is the segment in the window (RFC 9293 §3.10.7.4)?
        if (!rcv.acceptable(seg.seq(), seg.sequenceLength(length))) {
            if (seg.has(TcpHeader.RST)) {
                return null;
            }
            LOG.log(Level.DEBUG, () -> this + ": unacceptable segment (" + Integer.toUnsignedString(seg.seq())
                    + " not in " + Integer.toUnsignedString(rcv.nxt) + "+" + rcv.window() + ")");
            stats.dropped("out-of-window");
            if (state == TcpState.TIME_WAIT && seg.has(TcpHeader.FIN)) {
                timeWaitUntil = now + settings.timeWait(); // RFC 9293: a resent FIN restarts the 2 MSL wait
            }
            return ack(now);
        }
        // RFC 7323 §4.3: remember the guest's timestamp from a segment at the left edge of the window.
        if (rcv.timestamps && seg.timestamps()) {
            rcv.updateTsRecent(seg.tsVal(), seg.seq(), now);
        }
        // Second: RST. RFC 5961 §3.2: only an exact match resets; in window, a challenge ACK.
        if (seg.has(TcpHeader.RST)) {
            if (state == TcpState.TIME_WAIT) {
                return null; // RFC 1337 TW1: ignore a RST in TIME-WAIT; the timer ends it
            }
            if (seg.seq() != rcv.nxt) {
                return ack(now);
            }
            stats.resetsReceived++;
            host.reset();
            setState(TcpState.CLOSED);
            return null;
        }
        // Fourth: SYN in a synchronized state. RFC 5961 §4.2: a challenge ACK, never a reset.
        if (seg.has(TcpHeader.SYN)) {
            return ack(now);
        }
        // Fifth: ACK.
        if (!seg.has(TcpHeader.ACK)) {
            stats.dropped("no-ack");
            return null;
        }
        if (state == TcpState.SYN_RECEIVED) {
            if (seg.ack() != snd.iss + 1) {
                return reset(seg.ack()); // RFC 9293: unacceptable ACK in SYN-RECEIVED
            }
            established(seg, now);
        } else {
            Sender.AckOutcome outcome = snd.onAck(seg, length, now);
            if (outcome == Sender.AckOutcome.TOO_NEW) {
                LOG.log(Level.DEBUG, () -> this + ": ACK of unsent data (" + Integer.toUnsignedString(seg.ack())
                        + " beyond " + Integer.toUnsignedString(snd.max) + ")");
                stats.dropped("ack-unsent");
                return ack(now);
            }
            if (snd.finAcked()) {
                switch (state) {
                    case FIN_WAIT_1 -> setState(TcpState.FIN_WAIT_2);
                    case CLOSING -> enterTimeWait(now);
                    case LAST_ACK -> {
                        setState(TcpState.CLOSED);
                        return null;
                    }
                    default -> {
                    }
                }
            }
        }
        if (state == TcpState.TIME_WAIT) {
            // RFC 9293 §3.10.7.4: text and FIN mean nothing now; what occupies sequence space is acknowledged.
            return seg.sequenceLength(length) > 0 ? ack(now) : null;
        }
        // Seventh and eighth: text and FIN.
        if (state.receivesData()) {
            receiveText(seg, payload, length, now);
        }
        if (wantsHostData()) {
            host.resumeReading();
        }
        return null;
    }

    /** The handshake completed (RFC 9293 §3.10.7.4 SYN-RECEIVED, §3.10.7.3 SYN-SENT). */
    private void established(TcpRepr seg, long now) {
        snd.una = seg.ack();
        snd.bufferSeq = snd.una;
        if (SeqNum.lt(snd.nxt, snd.una)) {
            snd.nxt = snd.una;
        }
        if (snd.rttTiming) {
            snd.rtt.sample(now - snd.rttStart);
            snd.rttTiming = false;
        }
        snd.timeouts = 0;
        snd.retransmitAt = NEVER;
        // A SYN-ACK's window is unscaled; the ACK completing a passive open is scaled (RFC 7323 §2.2).
        snd.wnd = seg.has(TcpHeader.SYN) ? seg.window() : seg.window() << snd.windowShift;
        snd.wl1 = seg.seq();
        snd.wl2 = seg.ack();
        setState(TcpState.ESTABLISHED);
    }

    /** Trims the segment to what is new and fits the window, and hands it to the receiver. */
    private void receiveText(TcpRepr seg, ByteBuf payload, int length, long now) {
        int seq = seg.seq();
        boolean fin = seg.has(TcpHeader.FIN);
        int skip = 0;
        if (SeqNum.lt(seq, rcv.nxt)) {
            skip = Math.min(length, SeqNum.diff(rcv.nxt, seq));
            seq += skip;
        }
        int take = length - skip;
        int room = SeqNum.diff(rcv.advertisedEdge, seq);
        if (take > room) {
            take = Math.max(0, room); // RFC 9293: text beyond the window is cut off, and so is the FIN
            fin = false;
            stats.dropped("beyond-window");
        }
        if (take == 0 && !fin) {
            if (length > 0) {
                rcv.ackNow = true; // a pure retransmission of data we have: say so
            }
            return;
        }
        ByteBuf text = payload == null ? Unpooled.EMPTY_BUFFER
                : payload.slice(payload.readerIndex() + skip, take);
        if (rcv.onText(seq, text, fin, host, now, settings.delayedAck())) {
            finReceived(now);
        }
    }

    /** The guest's FIN, in order (RFC 9293 §3.10.7.4 "eighth"): half-close the host socket. */
    private void finReceived(long now) {
        host.shutdownOutput();
        switch (state) {
            case ESTABLISHED -> setState(TcpState.CLOSE_WAIT);
            case FIN_WAIT_1 -> setState(TcpState.CLOSING);
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> {
            }
        }
    }

    private void enterTimeWait(long now) {
        timeWaitUntil = now + settings.timeWait();
        snd.retransmitAt = NEVER;
        setState(TcpState.TIME_WAIT);
    }

    // ---------------------------------------------------------------- outbound

    /** The only transmit path: fires due timers and emits what is due. */
    public void dispatch(long now, SegmentSink sink) {
        switch (state) {
            case CLOSED -> {
                if (resetPending) {
                    resetPending = false;
                    emit(sink, TcpRepr.of(localPort, remotePort, snd.max, rcv.nxt, TcpHeader.RST | TcpHeader.ACK, 0),
                            null);
                }
                return;
            }
            case LISTEN -> {
                return;
            }
            case TIME_WAIT -> {
                if (now >= timeWaitUntil) {
                    setState(TcpState.CLOSED);
                } else if (rcv.ackPending || rcv.ackNow) {
                    emit(sink, ack(now), null);
                }
                return;
            }
            default -> {
            }
        }
        if (now >= snd.retransmitAt) {
            if (snd.timeouts >= settings.maxRetransmissions()) {
                LOG.log(Level.DEBUG, () -> this + ": given up after " + snd.timeouts + " timeouts");
                abort();
                dispatch(now, sink);
                return;
            }
            stats.timeouts++;
            snd.onRetransmitTimeout();
        }
        if (state == TcpState.SYN_RECEIVED || state == TcpState.SYN_SENT) {
            if (snd.nxt == snd.iss) {
                sendSyn(now, sink);
            }
            return;
        }
        if (now >= idleDeadline()) {
            if (idleExpired(now, sink)) {
                return;
            }
        }
        boolean sent = false;
        if (snd.fastRetransmitPending) {
            snd.fastRetransmitPending = false;
            sent = retransmitHoles(now, sink);
        }
        sent |= sendData(now, sink);
        if (!sent && (rcv.ackNow || (rcv.ackPending && now >= rcv.ackDue))) {
            emit(sink, ack(now), null);
        }
        if (now >= snd.persistAt) {
            if (unansweredProbes >= settings.maxRetransmissions()) {
                LOG.log(Level.DEBUG, () -> this + ": given up after " + unansweredProbes + " unanswered probes");
                abort();
                dispatch(now, sink);
                return;
            }
            // RFC 9293 §3.8.6.1: the guest's window is closed; a segment just left of it draws an ACK with the
            // current window (the form Linux uses).
            emit(sink, segment(snd.una - 1, TcpHeader.ACK, now), null);
            unansweredProbes++;
            snd.probeSent(now);
        }
        snd.armProbe(now);
    }

    /**
     * When the idle timers fire: FIN-WAIT-2 gives a silent guest {@code finWait2Timeout}; keepalive (when on)
     * probes a guest silent for {@code keepaliveIdle} while nothing is in flight, then every
     * {@code keepaliveInterval}.
     */
    private long idleDeadline() {
        if (state == TcpState.FIN_WAIT_2) {
            return lastHeard + settings.finWait2Timeout();
        }
        if (settings.keepaliveIdle() > 0 && (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT)
                && snd.una == snd.max && snd.persistAt == NEVER) {
            return lastHeard + settings.keepaliveIdle() + unansweredProbes * settings.keepaliveInterval();
        }
        return NEVER;
    }

    /** An idle timer fired: send a keepalive, or give the connection up. True when it was given up. */
    private boolean idleExpired(long now, SegmentSink sink) {
        if (state == TcpState.FIN_WAIT_2 || unansweredProbes >= settings.keepaliveProbes()) {
            LOG.log(Level.DEBUG, () -> this + ": idle guest in " + state + ", reset");
            stats.idleResets++;
            abort();
            dispatch(now, sink);
            return true;
        }
        // RFC 1122 §4.2.3.6: SEG.SEQ = SND.NXT - 1 with no data draws an ACK from a live guest.
        stats.keepalives++;
        unansweredProbes++;
        emit(sink, segment(snd.nxt - 1, TcpHeader.ACK, now), null);
        return false;
    }

    /** The SYN-ACK (or our SYN), resent after a timeout. */
    private void sendSyn(long now, SegmentSink sink) {
        boolean passive = state == TcpState.SYN_RECEIVED;
        TcpRepr syn = segment(snd.iss, passive ? TcpHeader.SYN | TcpHeader.ACK : TcpHeader.SYN, now)
                .withMss(ourMss)
                .withWindowScale(windowScaling ? rcv.windowShift : -1)
                .withSackPermitted(passive ? rcv.sackPermitted : true);
        if (!passive) {
            syn = syn.withTimestamps(Receiver.tsClock(now), 0);
        }
        if (SeqNum.lt(snd.iss, snd.max)) {
            stats.retransmits++;
        }
        snd.sent(snd.iss, 1, now);
        emit(sink, syn, null);
    }

    /**
     * New data and the FIN, as far as the windows allow, in segments of at most the guest's MSS less the room our
     * SACK blocks take (with segmentation offload, super-segments of as many of those as fit in 64 KiB). After a
     * timeout this resends from una on, skipping what the guest reported by SACK.
     */
    private boolean sendData(long now, SegmentSink sink) {
        boolean sent = false;
        int segmentSize = snd.mss - rcv.sackOptionLength();
        int sizeLimit = segmentOffload ? Math.max(1, MAX_SUPER_SEGMENT_PAYLOAD / segmentSize) * segmentSize
                : segmentSize;
        while (true) {
            if (SeqNum.lt(snd.nxt, snd.max) && snd.sack) {
                snd.nxt = snd.scoreboard.skip(snd.nxt);
            }
            int dataEnd = snd.finSeq();
            int room = SeqNum.diff(snd.sendLimit(), snd.nxt);
            int available = SeqNum.diff(dataEnd, snd.nxt);
            if (SeqNum.lt(snd.nxt, snd.max)) {
                available = Math.min(available, SeqNum.diff(snd.scoreboard.nextReported(snd.nxt, dataEnd), snd.nxt));
            }
            int n = Math.max(0, Math.min(available, Math.min(room, sizeLimit)));
            // The FIN takes a sequence number of window too; it follows the last data byte.
            boolean fin = snd.finQueued && snd.nxt + n == dataEnd && n < room;
            if (n == 0 && !fin) {
                return sent;
            }
            sendSegment(snd.nxt, n, fin, now, sink, segmentSize);
            sent = true;
        }
    }

    /**
     * Fast retransmit and recovery (RFC 5681 §3.2, RFC 6582, RFC 6675 §5): resend the holes not yet resent in this
     * recovery, from una up to the highest byte the guest reported by SACK (without SACK: the first segment),
     * skipping what it reported, at most a congestion window's worth at once.
     */
    private boolean retransmitHoles(long now, SegmentSink sink) {
        int end = snd.holesEnd();
        int budget = Math.max(snd.mss, Math.min(snd.congestion.window(), snd.wnd));
        int segmentSize = snd.mss - rcv.sackOptionLength();
        int seq = snd.nextHole(snd.highRetransmitted, end);
        boolean sent = false;
        while (SeqNum.lt(seq, end) && budget > 0) {
            int dataEnd = snd.finSeq();
            int limit = snd.scoreboard.nextReported(seq, end);
            int n = Math.max(0, Math.min(SeqNum.diff(SeqNum.min(limit, dataEnd), seq), segmentSize));
            boolean fin = snd.finSent() && seq + n == dataEnd && SeqNum.lt(dataEnd, end);
            if (n == 0 && !fin) {
                break;
            }
            stats.fastRetransmits++;
            snd.rttTiming = false; // Karn: this flight cannot be timed any more
            sendSegment(seq, n, fin, now, sink, segmentSize);
            sent = true;
            int next = seq + n + (fin ? 1 : 0);
            snd.highRetransmitted = next;
            budget -= n;
            seq = snd.nextHole(next, end);
        }
        return sent;
    }

    /** @param segmentSize the payload of one wire segment; {@code n} exceeds it only with segmentation offload */
    private void sendSegment(int seq, int n, boolean fin, long now, SegmentSink sink, int segmentSize) {
        ByteBuf payload = n > 0 ? snd.buffer.retainedSlice(SeqNum.diff(seq, snd.bufferSeq), n) : null;
        boolean last = seq + n == snd.finSeq();
        int flags = TcpHeader.ACK | (fin ? TcpHeader.FIN : 0) | (n > 0 && last ? TcpHeader.PSH : 0);
        if (SeqNum.lt(seq, snd.max)) {
            stats.retransmits++;
        }
        TcpRepr seg = segment(seq, flags, now);
        snd.sent(seq, n + (fin ? 1 : 0), now);
        if (fin) {
            if (state == TcpState.ESTABLISHED) {
                setState(TcpState.FIN_WAIT_1);
            } else if (state == TcpState.CLOSE_WAIT) {
                setState(TcpState.LAST_ACK);
            }
        }
        // With offload every data segment leaves its checksum to the guest's link, not only super-segments.
        emit(sink, seg, payload, segmentOffload && n > 0 ? segmentSize : 0);
    }

    /** Whether the guest's link segments TCP for us from now on (it can change when the guest moves). */
    void segmentOffload(boolean on) {
        segmentOffload = on;
    }

    /** When dispatch next has work: now, a timer deadline, or NEVER. Mirrors the start of dispatch. */
    public long pollAt(long now) {
        return switch (state) {
            case CLOSED -> resetPending ? now : NEVER;
            case LISTEN -> NEVER;
            case TIME_WAIT -> rcv.ackNow || rcv.ackPending ? now : timeWaitUntil;
            case SYN_RECEIVED, SYN_SENT -> snd.nxt == snd.iss ? now : snd.retransmitAt;
            default -> {
                if (rcv.ackNow || snd.fastRetransmitPending || snd.hasSendable()) {
                    yield now;
                }
                yield Math.min(Math.min(Math.min(snd.retransmitAt, snd.persistAt), idleDeadline()),
                        rcv.ackPending ? rcv.ackDue : NEVER);
            }
        };
    }

    /** Releases every buffer the connection holds; called once it is CLOSED and removed. */
    void release() {
        snd.buffer.clear();
        snd.scoreboard.clear();
        rcv.outOfOrder.clear();
    }

    // ---------------------------------------------------------------- segments

    /** A segment from us with the current ACK, window and timestamps; it acknowledges everything received. */
    private TcpRepr segment(int seq, int flags, long now) {
        boolean syn = (flags & TcpHeader.SYN) != 0;
        boolean acking = (flags & TcpHeader.ACK) != 0;
        int window = rcv.windowField(host, syn);
        TcpRepr seg = TcpRepr.of(localPort, remotePort, seq, acking ? rcv.nxt : 0, flags, window);
        if (rcv.timestamps) {
            seg = seg.withTimestamps(Receiver.tsClock(now), rcv.tsRecent);
        }
        if (acking && !syn) {
            List<TcpRepr.SackBlock> blocks = rcv.sackBlocks();
            if (!blocks.isEmpty()) {
                seg = seg.withSackBlocks(blocks);
            }
        }
        if (acking) {
            rcv.ackSent();
        }
        return seg;
    }

    /** A bare ACK: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>. */
    private TcpRepr ack(long now) {
        return segment(snd.nxt, TcpHeader.ACK, now);
    }

    /** <SEQ=seq><CTL=RST>, the answer to an ACK of something we never sent. */
    private TcpRepr reset(int seq) {
        stats.resetsSent++;
        return TcpRepr.of(localPort, remotePort, seq, 0, TcpHeader.RST, 0);
    }

    private void emit(SegmentSink sink, TcpRepr seg, ByteBuf payload) {
        emit(sink, seg, payload, 0);
    }

    /** @param segmentSize 0, or the wire segment size of a segment the guest's link segments and checksums */
    private void emit(SegmentSink sink, TcpRepr seg, ByteBuf payload, int segmentSize) {
        if (seg.has(TcpHeader.RST)) {
            stats.resetsSent++;
        }
        sink.emit(localIp, remoteIp, seg, payload, segmentSize);
    }

    private void setState(TcpState next) {
        if (state == next) {
            return;
        }
        TcpState previous = state;
        state = next;
        LOG.log(Level.DEBUG, () -> this + ": " + previous + "=>" + next);
        if (next == TcpState.CLOSED || next == TcpState.TIME_WAIT) {
            release();
        }
    }

    @Override
    public String toString() {
        return "tcp " + ip(remoteIp) + ":" + remotePort + " > " + ip(localIp) + ":" + localPort;
    }

    private static String ip(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }
}
