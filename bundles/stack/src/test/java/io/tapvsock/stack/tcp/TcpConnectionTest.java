package io.tapvsock.stack.tcp;

import static io.tapvsock.stack.wire.TcpHeader.ACK;
import static io.tapvsock.stack.wire.TcpHeader.FIN;
import static io.tapvsock.stack.wire.TcpHeader.PSH;
import static io.tapvsock.stack.wire.TcpHeader.RST;
import static io.tapvsock.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.TcpRepr;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scripted segments against one connection with a manual clock (style.md §9): {@code send} feeds a guest segment
 * and asserts the immediate reply, {@code recv} runs dispatch and asserts exactly the segments it emits.
 */
class TcpConnectionTest {

    private static final long MS = 1_000_000L;
    private static final int LOCAL_IP = 0x7F00_0001;
    private static final int GUEST_IP = 0xC0A8_7F02;
    private static final int LOCAL_PORT = 80;
    private static final int GUEST_PORT = 50000;
    private static final int ISS = 1000;
    private static final int GUEST_ISN = 5000;
    private static final int BUFFER = 60000;

    /** No window scale and a small buffer keep window arithmetic readable; RTOs from TcpSettings.defaults(). */
    private static final TcpSettings SETTINGS = new TcpSettings(BUFFER, BUFFER, 200 * MS, 60_000 * MS, 1000 * MS,
            2000 * MS, 30_000, 128, 16384, 8, 5, 60_000 * MS, 0, 75_000 * MS, 9, 0);

    /** A guest segment template. */
    private static final TcpRepr SEND = TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN + 1, ISS + 1, ACK, 30000);
    /** A segment of ours, the template for expectations. */
    private static final TcpRepr RECV = TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 1, GUEST_ISN + 1, ACK, BUFFER);

    private final FakeHost host = new FakeHost();
    private final TcpStats stats = new TcpStats();
    private final List<Emitted> emitted = new ArrayList<>();
    private final SegmentSink sink = (source, destination, segment, payload, segmentSize) -> {
        assertEquals(LOCAL_IP, source);
        assertEquals(GUEST_IP, destination);
        byte[] bytes = payload == null ? new byte[0] : ByteBufUtil.getBytes(payload);
        if (payload != null) {
            payload.release();
        }
        emitted.add(new Emitted(segment, bytes, segmentSize));
    };

    private record Emitted(TcpRepr segment, byte[] payload, int segmentSize) {
    }

    @AfterEach
    void releaseEverything() {
        host.clear();
    }

    // ---------------------------------------------------------------- helpers

    private TcpConnection connection(int iss) {
        return new TcpConnection(SETTINGS, host, stats, LOCAL_IP, LOCAL_PORT, GUEST_IP, GUEST_PORT, iss, 1500);
    }

    private static TcpRepr guestSyn(int isn) {
        return TcpRepr.of(GUEST_PORT, LOCAL_PORT, isn, 0, SYN, 30000).withMss(1000);
    }

    /** Feeds one guest segment and returns the immediate reply. */
    private static TcpRepr send(TcpConnection c, long at, TcpRepr segment, byte[] payload) {
        ByteBuf buf = payload == null ? null : Unpooled.wrappedBuffer(payload);
        try {
            return c.process(segment, buf, at);
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
    }

    /** Feeds one guest segment and asserts there was no immediate reply. */
    private static void sendQuiet(TcpConnection c, long at, TcpRepr segment, byte[] payload) {
        assertNull(send(c, at, segment, payload));
    }

    /** Runs dispatch and returns what it emitted. */
    private List<Emitted> recv(TcpConnection c, long at) {
        emitted.clear();
        c.dispatch(at, sink);
        return List.copyOf(emitted);
    }

    /** Runs dispatch and asserts it emitted exactly these segments (payloads not compared). */
    private void recv(TcpConnection c, long at, TcpRepr... expected) {
        List<Emitted> got = recv(c, at);
        assertEquals(expected.length, got.size(), () -> "segments: got " + got);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got.get(i).segment());
        }
    }

    private void recvNothing(TcpConnection c, long at) {
        recv(c, at);
    }

    /** A connection through the whole handshake at time 0; the guest's window is 30000. */
    private TcpConnection established(int iss, int isn) {
        TcpConnection c = connection(iss);
        c.listen(guestSyn(isn));
        c.accept();
        List<Emitted> synAck = recv(c, 0);
        assertEquals(1, synAck.size());
        sendQuiet(c, 0, SEND.withSeq(isn + 1).withAck(iss + 1), null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        return c;
    }

    private TcpConnection established() {
        return established(ISS, GUEST_ISN);
    }

    private static byte[] data(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed + i);
        }
        return bytes;
    }

    private static ByteBuf hostBytes(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes.clone());
    }

    // ---------------------------------------------------------------- handshake

    @Test
    void listen_accept_sendsSynAckWithOptions() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN).withMss(1460).withWindowScale(7).withTimestamps(77, 0));
        assertEquals(TcpState.LISTEN, c.state());
        recvNothing(c, 0);
        c.accept();
        assertEquals(TcpState.SYN_RECEIVED, c.state());
        recv(c, 0, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460).withWindowScale(SETTINGS.windowScale())
                .withTimestamps(0, 77));
        assertEquals(1460 - 12, c.snd.mss);
    }

    @Test
    void listen_retransmittedSyn_isAbsorbed() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        sendQuiet(c, 0, guestSyn(GUEST_ISN), null);
        recvNothing(c, 0);
        assertEquals(TcpState.LISTEN, c.state());
    }

    @Test
    void listen_refuse_sendsRstAck() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.refuse();
        assertTrue(c.isClosed());
        assertTrue(host.reset);
        recv(c, 0, TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS, GUEST_ISN + 1, RST | ACK, 0));
        recvNothing(c, 0);
    }

    @Test
    void listen_guestRst_closes() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        sendQuiet(c, 0, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN + 1, 0, RST, 0), null);
        assertTrue(c.isClosed());
        assertTrue(host.reset);
        recvNothing(c, 0);
    }

    @Test
    void synReceived_ack_establishesAndStartsReading() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460).withWindow(BUFFER));
        sendQuiet(c, 5 * MS, SEND, null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(1, host.resumes);
        assertEquals(30000, c.snd.wnd);
        assertEquals(1000, c.snd.mss);
    }

    @Test
    void synReceived_synAgain_resendsSynAck() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        sendQuiet(c, 10 * MS, guestSyn(GUEST_ISN), null);
        recv(c, 10 * MS, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460));
    }

    @Test
    void synReceived_timeout_resendsSynAckWithBackoff() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        assertEquals(1000 * MS, c.pollAt(0));
        recvNothing(c, 999 * MS);
        recv(c, 1000 * MS, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460));
        assertEquals(3000 * MS, c.pollAt(1000 * MS));
        recv(c, 3000 * MS, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460));
        assertEquals(7000 * MS, c.pollAt(3000 * MS));
        assertEquals(2, stats.retransmits);
    }

    @Test
    void synReceived_badAck_getsRst() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        TcpRepr reply = send(c, 0, SEND.withAck(ISS + 99), null);
        assertEquals(TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 99, 0, RST, 0), reply);
        assertEquals(TcpState.SYN_RECEIVED, c.state());
    }

    @Test
    void synSent_synAck_establishesAndAcks() {
        TcpConnection c = connection(ISS);
        c.connect();
        List<Emitted> syn = recv(c, 0);
        assertEquals(1, syn.size());
        assertEquals(SYN, syn.get(0).segment().flags());
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN, ISS + 1, SYN | ACK, 20000).withMss(1200), null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertEquals(20000, c.snd.wnd);
        recv(c, MS, RECV);
    }

    // ---------------------------------------------------------------- data

    @Test
    void established_guestData_goesToHostAndIsAckedOnDispatch() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND, "hello".getBytes());
        assertArrayEquals("hello".getBytes(), host.written());
        assertFalse(c.urgent());
        recv(c, MS, RECV.withAck(GUEST_ISN + 6));
        recvNothing(c, MS);
    }

    /** Established with a 5 ms delayed ACK. */
    private TcpConnection establishedWithDelayedAck() {
        TcpConnection c = new TcpConnection(SETTINGS.withDelayedAck(5 * MS), host, stats, LOCAL_IP, LOCAL_PORT,
                GUEST_IP, GUEST_PORT, ISS, 1500);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        assertEquals(1, recv(c, 0).size());
        sendQuiet(c, 0, SEND.withSeq(GUEST_ISN + 1).withAck(ISS + 1), null);
        return c;
    }

    @Test
    void delayedAck_aLoneSegmentIsAcknowledgedAloneOnlyWhenTheDelayEnds() {
        TcpConnection c = establishedWithDelayedAck();
        sendQuiet(c, MS, SEND, "ping".getBytes());
        assertFalse(c.urgent());
        recvNothing(c, MS);
        assertEquals(6 * MS, c.pollAt(MS), "the wakeup comes when the delay ends");
        recvNothing(c, 5 * MS);
        recv(c, 6 * MS, RECV.withAck(GUEST_ISN + 5));
        recvNothing(c, 7 * MS);
    }

    @Test
    void delayedAck_theHostsAnswerCarriesTheAck() {
        TcpConnection c = establishedWithDelayedAck();
        sendQuiet(c, MS, SEND, "ping".getBytes());
        recvNothing(c, MS);
        c.hostData(hostBytes("pong".getBytes()));
        List<Emitted> out = recv(c, 2 * MS);
        assertEquals(1, out.size(), "one segment: the answer with the ACK on it");
        assertEquals(GUEST_ISN + 5, out.get(0).segment().ack());
        assertArrayEquals("pong".getBytes(), out.get(0).payload());
        recvNothing(c, 10 * MS);
    }

    @Test
    void delayedAck_aSecondSegmentOfAnySizeIsAcknowledgedAtOnce() {
        TcpConnection c = establishedWithDelayedAck();
        sendQuiet(c, MS, SEND, data(10, 0));
        assertFalse(c.urgent());
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 11), data(10, 1));
        assertTrue(c.urgent());
        recv(c, MS, RECV.withAck(GUEST_ISN + 21));
    }

    @Test
    void established_secondFullSegment_wantsAnAckNow() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND, data(1000, 0));
        assertFalse(c.urgent());
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 1001), data(1000, 1));
        assertTrue(c.urgent());
    }

    @Test
    void established_windowShrinksWithBytesTheHostHasNotTaken() {
        TcpConnection c = established();
        host.buffered = 5;
        sendQuiet(c, MS, SEND, "hello".getBytes());
        recv(c, MS, RECV.withAck(GUEST_ISN + 6).withWindow(BUFFER - 5));
        host.buffered = 0;
        c.hostDrained();
        assertFalse(c.urgent(), "a 5-byte opening is not worth an update");
        host.buffered = 0;
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 6), data(3000, 0));
        host.buffered = BUFFER - 100;
        recv(c, MS, RECV.withAck(GUEST_ISN + 3006).withWindow(BUFFER - 3005 - 5 + 5));
    }

    @Test
    void established_guestExceedsWindow_isTrimmed() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        host.buffered = BUFFER - 10;
        host.holdWrites = true;
        c.accept();
        recv(c, 0, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460).withWindow(10));
        sendQuiet(c, 0, SEND, null);
        sendQuiet(c, MS, SEND, data(20, 0));
        assertArrayEquals(data(10, 0), host.written());
        assertEquals(1, stats.droppedCount("beyond-window"));
        // The window stays closed until the host takes bytes; the edge never moves left.
        recv(c, MS, RECV.withAck(GUEST_ISN + 11).withWindow(0));
        host.buffered = 0;
        c.hostDrained();
        assertTrue(c.urgent());
        recv(c, MS, RECV.withAck(GUEST_ISN + 11).withWindow(BUFFER));
    }

    @Test
    void established_hostData_segmentedByMssWithinTheGuestWindow() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withWindow(2500), null);
        byte[] bytes = data(5000, 3);
        c.hostData(hostBytes(bytes));
        assertFalse(c.wantsHostData(), "5000 buffered bytes exceed the guest's 2500-byte window");
        List<Emitted> out = recv(c, MS);
        assertEquals(3, out.size());
        assertEquals(RECV, out.get(0).segment());
        assertEquals(RECV.withSeq(ISS + 1001), out.get(1).segment());
        assertEquals(RECV.withSeq(ISS + 2001), out.get(2).segment());
        assertEquals(500, out.get(2).payload().length);
        recvNothing(c, MS);
        // The guest acknowledges 2000 bytes and keeps its window at 2500: 2000 more may go.
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 2001).withWindow(2500), null);
        out = recv(c, 2 * MS);
        assertEquals(2, out.size());
        assertEquals(RECV.withSeq(ISS + 2501), out.get(0).segment());
        assertEquals(RECV.withSeq(ISS + 3501).withFlags(ACK), out.get(1).segment());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.write(out.get(0).payload(), 0, 1000);
        all.write(out.get(1).payload(), 0, 1000);
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 2500, 4500), all.toByteArray());
        // The last 500 bytes end the buffer: PSH.
        sendQuiet(c, 3 * MS, SEND.withAck(ISS + 4501).withWindow(2500), null);
        recv(c, 3 * MS, RECV.withSeq(ISS + 4501).withFlags(ACK | PSH));
        assertTrue(c.wantsHostData());
    }

    @Test
    void established_segmentOffload_oneSuperSegmentPerWindowCutAtTheMss() {
        TcpConnection c = established();
        c.segmentOffload(true);
        sendQuiet(c, MS, SEND.withWindow(2500), null);
        byte[] bytes = data(5000, 3);
        c.hostData(hostBytes(bytes));
        List<Emitted> out = recv(c, MS);
        assertEquals(1, out.size(), "the whole window in one super-segment");
        assertEquals(RECV, out.get(0).segment());
        assertEquals(1000, out.get(0).segmentSize(), "cut at the guest's MSS by its link");
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 0, 2500), out.get(0).payload());
        // Without offload (the guest moved to a link without it) the rest leaves in wire segments again.
        c.segmentOffload(false);
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 2501).withWindow(2500), null);
        out = recv(c, 2 * MS);
        assertEquals(3, out.size());
        assertEquals(0, out.get(0).segmentSize());
        assertEquals(1000, out.get(0).payload().length);
    }

    @Test
    void established_guestWindowScale_appliesToItsWindow() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN).withWindowScale(2));
        c.accept();
        recv(c, 0);
        sendQuiet(c, 0, SEND.withWindow(100), null);
        assertEquals(400, c.snd.wnd);
    }

    @Test
    void established_timeout_retransmitsWithBackoff() {
        TcpConnection c = established();
        c.hostData(hostBytes(data(100, 0)));
        recv(c, 10 * MS, RECV.withFlags(ACK | PSH));
        // The handshake measured an RTT of 0: the RTO is the 200 ms minimum.
        assertEquals(210 * MS, c.pollAt(10 * MS));
        recvNothing(c, 209 * MS);
        recv(c, 210 * MS, RECV.withFlags(ACK | PSH));
        assertEquals(610 * MS, c.pollAt(210 * MS));
        recv(c, 610 * MS, RECV.withFlags(ACK | PSH));
        assertEquals(1410 * MS, c.pollAt(610 * MS));
        assertEquals(2, stats.retransmits);
        assertEquals(2, stats.timeouts);
        sendQuiet(c, 700 * MS, SEND.withAck(ISS + 101), null);
        assertEquals(TcpConnection.NEVER, c.pollAt(700 * MS));
    }

    @Test
    void established_tooManyTimeouts_givesUpWithRst() {
        TcpConnection c = established();
        c.hostData(hostBytes(data(10, 0)));
        recv(c, 0);
        for (int i = 0; i < SETTINGS.maxRetransmissions(); i++) {
            assertEquals(1, recv(c, c.pollAt(0)).size());
        }
        List<Emitted> last = recv(c, c.pollAt(0));
        assertTrue(c.isClosed());
        assertTrue(host.reset);
        assertEquals(1, last.size());
        assertEquals(RST | ACK, last.get(0).segment().flags());
    }

    @Test
    void established_threeDuplicateAcks_fastRetransmit() {
        TcpConnection c = established();
        c.hostData(hostBytes(data(4000, 0)));
        assertEquals(4, recv(c, MS).size());
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 1001), null);
        recvNothing(c, 2 * MS);
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 1001), null);
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 1001), null);
        recvNothing(c, 2 * MS);
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 1001), null);
        recv(c, 2 * MS, RECV.withSeq(ISS + 1001));
        assertEquals(1, stats.fastRetransmits);
    }

    @Test
    void established_zeroWindow_probesThenSendsWhenItOpens() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withWindow(0), null);
        assertFalse(c.wantsHostData());
        c.hostData(hostBytes(data(10, 0)));
        recvNothing(c, MS);
        assertEquals(201 * MS, c.pollAt(MS));
        recv(c, 201 * MS, RECV.withSeq(ISS));
        assertEquals(601 * MS, c.pollAt(201 * MS));
        sendQuiet(c, 300 * MS, SEND.withWindow(1000), null);
        recv(c, 300 * MS, RECV.withFlags(ACK | PSH));
    }

    @Test
    void established_outOfOrder_duplicateAckThenInOrderDelivery() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 11), "world".getBytes());
        assertEquals(0, host.written().length);
        assertTrue(c.urgent());
        recv(c, MS, RECV); // the held bytes count, but the promised right edge never moves left
        sendQuiet(c, MS, SEND, "hello12345".getBytes());
        assertArrayEquals("hello12345world".getBytes(), host.written());
        recv(c, MS, RECV.withAck(GUEST_ISN + 16));
    }

    @Test
    void established_oldSegment_isAnsweredWithAnAck() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND, "hello".getBytes());
        recv(c, MS);
        TcpRepr reply = send(c, 2 * MS, SEND, "hello".getBytes());
        assertEquals(RECV.withAck(GUEST_ISN + 6), reply);
        assertEquals(5, host.written().length);
    }

    @Test
    void established_partlyOldSegment_deliversOnlyTheNewBytes() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND, "hello".getBytes());
        sendQuiet(c, MS, SEND, "hello world".getBytes());
        assertArrayEquals("hello world".getBytes(), host.written());
    }

    @Test
    void established_ackOfUnsentData_isAnsweredWithAnAck() {
        TcpConnection c = established();
        TcpRepr reply = send(c, MS, SEND.withAck(ISS + 500), null);
        assertEquals(RECV, reply);
    }

    // ---------------------------------------------------------------- closing

    @Test
    void established_guestFin_closeWaitThenHostEofLastAckThenClosed() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withFlags(ACK | FIN), "bye".getBytes());
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        assertTrue(host.shutdown);
        assertArrayEquals("bye".getBytes(), host.written());
        recv(c, MS, RECV.withAck(GUEST_ISN + 5));
        // The host still talks, then closes.
        c.hostData(hostBytes("ok".getBytes()));
        c.hostEof();
        recv(c, 2 * MS, RECV.withAck(GUEST_ISN + 5).withFlags(ACK | PSH | FIN));
        assertEquals(TcpState.LAST_ACK, c.state());
        sendQuiet(c, 3 * MS, SEND.withSeq(GUEST_ISN + 5).withAck(ISS + 4), null);
        assertTrue(c.isClosed());
        assertFalse(host.reset);
    }

    @Test
    void established_hostEof_finWait1_finWait2_timeWait_closed() {
        TcpConnection c = established();
        c.hostEof();
        assertFalse(c.wantsHostData());
        recv(c, MS, RECV.withFlags(ACK | FIN));
        assertEquals(TcpState.FIN_WAIT_1, c.state());
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 2), null);
        assertEquals(TcpState.FIN_WAIT_2, c.state());
        // Half-closed: the guest keeps sending, then ends.
        sendQuiet(c, 3 * MS, SEND.withAck(ISS + 2), "more".getBytes());
        sendQuiet(c, 3 * MS, SEND.withSeq(GUEST_ISN + 5).withAck(ISS + 2).withFlags(ACK | FIN), null);
        assertEquals(TcpState.TIME_WAIT, c.state());
        assertTrue(host.shutdown);
        assertArrayEquals("more".getBytes(), host.written());
        recv(c, 3 * MS, RECV.withSeq(ISS + 2).withAck(GUEST_ISN + 6).withWindow(BUFFER));
        assertEquals(2003 * MS, c.pollAt(3 * MS));
        recvNothing(c, 2002 * MS);
        assertEquals(TcpState.TIME_WAIT, c.state());
        recvNothing(c, 2003 * MS);
        assertTrue(c.isClosed());
    }

    @Test
    void timeWait_resentFin_isAckedAgain() {
        TcpConnection c = established();
        c.hostEof();
        recv(c, MS);
        sendQuiet(c, MS, SEND.withAck(ISS + 2).withFlags(ACK | FIN), null);
        assertEquals(TcpState.TIME_WAIT, c.state());
        recv(c, MS);
        TcpRepr reply = send(c, 500 * MS, SEND.withAck(ISS + 2).withFlags(ACK | FIN), null);
        assertEquals(RECV.withSeq(ISS + 2).withAck(GUEST_ISN + 2), reply);
        assertEquals(2500 * MS, c.pollAt(500 * MS));
    }

    @Test
    void finWait1_guestFinBeforeAck_closingThenTimeWait() {
        TcpConnection c = established();
        c.hostEof();
        recv(c, MS, RECV.withFlags(ACK | FIN));
        sendQuiet(c, MS, SEND.withFlags(ACK | FIN), null);
        assertEquals(TcpState.CLOSING, c.state());
        recv(c, MS, RECV.withSeq(ISS + 2).withAck(GUEST_ISN + 2));
        sendQuiet(c, 2 * MS, SEND.withSeq(GUEST_ISN + 2).withAck(ISS + 2), null);
        assertEquals(TcpState.TIME_WAIT, c.state());
    }

    @Test
    void established_finLost_isRetransmitted() {
        TcpConnection c = established();
        c.hostEof();
        recv(c, MS, RECV.withFlags(ACK | FIN));
        recv(c, c.pollAt(MS), RECV.withFlags(ACK | FIN));
        assertEquals(TcpState.FIN_WAIT_1, c.state());
    }

    @Test
    void established_outOfOrderFin_waitsForTheHole() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 4).withFlags(ACK | FIN), "def".getBytes());
        assertEquals(TcpState.ESTABLISHED, c.state());
        sendQuiet(c, MS, SEND, "abc".getBytes());
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        assertArrayEquals("abcdef".getBytes(), host.written());
        assertTrue(host.shutdown);
    }

    @Test
    void established_guestRst_closesHostWithReset() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withFlags(RST), null);
        assertTrue(c.isClosed());
        assertTrue(host.reset);
        assertEquals(1, stats.resetsReceived);
        recvNothing(c, MS);
    }

    @Test
    void established_inexactRst_getsChallengeAck() {
        TcpConnection c = established();
        TcpRepr reply = send(c, MS, SEND.withSeq(GUEST_ISN + 100).withFlags(RST), null);
        assertEquals(RECV, reply);
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertFalse(host.reset);
    }

    @Test
    void established_syn_getsChallengeAck() {
        TcpConnection c = established();
        TcpRepr reply = send(c, MS, guestSyn(GUEST_ISN + 1), null);
        assertEquals(RECV, reply);
        assertEquals(TcpState.ESTABLISHED, c.state());
    }

    @Test
    void established_hostReset_sendsRst() {
        TcpConnection c = established();
        c.hostData(hostBytes(data(10, 0)));
        recv(c, MS);
        c.hostReset();
        assertTrue(c.isClosed());
        recv(c, MS, TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 11, GUEST_ISN + 1, RST | ACK, 0));
    }

    // ---------------------------------------------------------------- wraparound

    @Test
    void established_sequenceNumbersWrap() {
        int iss = 0xFFFF_FFF0;
        int isn = 0xFFFF_FFF8;
        TcpConnection c = established(iss, isn);
        byte[] fromGuest = data(40, 1);
        sendQuiet(c, MS, SEND.withSeq(isn + 1).withAck(iss + 1), fromGuest);
        assertArrayEquals(fromGuest, host.written());
        c.hostData(hostBytes(data(50, 2)));
        recv(c, MS, RECV.withSeq(iss + 1).withAck(isn + 41).withFlags(ACK | PSH));
        sendQuiet(c, 2 * MS, SEND.withSeq(isn + 41).withAck(iss + 51), null);
        assertEquals(iss + 51, c.snd.una);
        assertEquals(0, c.snd.buffer.bytes());
        assertEquals(TcpConnection.NEVER, c.pollAt(2 * MS));
        // An old ACK from before the wrap is ignored, not taken as new.
        sendQuiet(c, 3 * MS, SEND.withSeq(isn + 41).withAck(iss + 1), null);
        assertEquals(iss + 51, c.snd.una);
    }


    // ---------------------------------------------------------------- SACK (RFC 2018)

    /** A connection whose guest offered SACK-permitted (and timestamps when {@code ts}). */
    private TcpConnection establishedWithSack(boolean ts) {
        TcpConnection c = connection(ISS);
        TcpRepr syn = guestSyn(GUEST_ISN).withSackPermitted(true);
        c.listen(ts ? syn.withTimestamps(10, 0) : syn);
        c.accept();
        assertEquals(1, recv(c, 0).size());
        sendQuiet(c, 0, ts ? SEND.withTimestamps(10, 0) : SEND, null);
        assertEquals(TcpState.ESTABLISHED, c.state());
        return c;
    }

    private static TcpRepr.SackBlock block(int left, int right) {
        return new TcpRepr.SackBlock(left, right);
    }

    @Test
    void listen_guestOffersSack_synAckOffersItToo() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN).withSackPermitted(true));
        c.accept();
        recv(c, 0, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460).withSackPermitted(true));
    }

    @Test
    void listen_guestWithoutSack_synAckWithoutIt() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0, RECV.withSeq(ISS).withFlags(SYN | ACK).withMss(1460));
        assertFalse(c.snd.sack);
    }

    @Test
    void synSent_offersSack_synAckWithSack_enablesIt() {
        TcpConnection c = connection(ISS);
        c.connect();
        List<Emitted> syn = recv(c, 0);
        assertTrue(syn.get(0).segment().sackPermitted());
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN, ISS + 1, SYN | ACK, 20000)
                .withSackPermitted(true), null);
        assertTrue(c.snd.sack);
        assertTrue(c.rcv.sackPermitted);
    }

    @Test
    void established_outOfOrder_acksCarrySackBlocksMostRecentFirst() {
        TcpConnection c = establishedWithSack(false);
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 11), data(5, 0));
        recv(c, MS, RECV.withWindow(BUFFER).withSackBlocks(List.of(block(GUEST_ISN + 11, GUEST_ISN + 16))));
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 31), data(5, 0));
        recv(c, MS, RECV.withSackBlocks(List.of(block(GUEST_ISN + 31, GUEST_ISN + 36),
                block(GUEST_ISN + 11, GUEST_ISN + 16))));
        // An arrival that extends the older range puts that range first.
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 16), data(5, 0));
        recv(c, MS, RECV.withSackBlocks(List.of(block(GUEST_ISN + 11, GUEST_ISN + 21),
                block(GUEST_ISN + 31, GUEST_ISN + 36))));
        // The hole before the first range fills: only the second range remains to report.
        sendQuiet(c, MS, SEND, data(10, 0));
        recv(c, MS, RECV.withAck(GUEST_ISN + 21).withWindow(BUFFER - 5)
                .withSackBlocks(List.of(block(GUEST_ISN + 31, GUEST_ISN + 36))));
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 21), data(10, 0));
        recv(c, MS, RECV.withAck(GUEST_ISN + 36));
        assertEquals(35, host.written().length);
    }

    @Test
    void established_manyHoles_atMostThreeBlocksNextToTimestamps() {
        TcpConnection c = establishedWithSack(true);
        for (int i = 1; i <= 5; i++) {
            sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 1 + 10 * i).withTimestamps(10 + i, 0), data(5, i));
        }
        List<Emitted> out = recv(c, MS);
        assertEquals(1, out.size());
        List<TcpRepr.SackBlock> blocks = out.get(0).segment().sackBlocks();
        assertEquals(4, blocks.size(), "four newest ranges are offered; the header takes three");
        assertEquals(block(GUEST_ISN + 51, GUEST_ISN + 56), blocks.get(0));
        assertEquals(block(GUEST_ISN + 41, GUEST_ISN + 46), blocks.get(1));
        assertTrue(out.get(0).segment().headerLen() <= 60);
        assertEquals(20 + 12 + 4 + 3 * 8, out.get(0).segment().headerLen());
    }

    @Test
    void established_sackedData_fastRetransmitResendsOnlyTheHoles() {
        TcpConnection c = establishedWithSack(false);
        c.hostData(hostBytes(data(5000, 0)));
        assertEquals(5, recv(c, MS).size());
        // The guest holds [1001, 2001) and [3001, 4001): segments 1 and 3 are lost.
        sendQuiet(c, 2 * MS, SEND.withSackBlocks(List.of(block(ISS + 1001, ISS + 2001))), null);
        sendQuiet(c, 2 * MS, SEND.withSackBlocks(List.of(block(ISS + 3001, ISS + 4001),
                block(ISS + 1001, ISS + 2001))), null);
        recvNothing(c, 2 * MS);
        sendQuiet(c, 2 * MS, SEND.withSackBlocks(List.of(block(ISS + 3001, ISS + 5001))), null);
        recv(c, 2 * MS, RECV.withSeq(ISS + 1), RECV.withSeq(ISS + 2001));
        assertEquals(2, stats.fastRetransmits);
        // A partial ACK (the first hole arrived) resends nothing already resent.
        sendQuiet(c, 3 * MS, SEND.withAck(ISS + 2001).withSackBlocks(List.of(block(ISS + 3001, ISS + 5001))), null);
        recvNothing(c, 3 * MS);
        sendQuiet(c, 4 * MS, SEND.withAck(ISS + 5001), null);
        assertFalse(c.snd.inRecovery);
        assertEquals(TcpConnection.NEVER, c.pollAt(4 * MS));
    }

    @Test
    void established_sackedData_timeoutResendsTheHolesFirst() {
        TcpConnection c = establishedWithSack(false);
        c.hostData(hostBytes(data(5000, 0)));
        assertEquals(5, recv(c, 0).size());
        sendQuiet(c, MS, SEND.withSackBlocks(List.of(block(ISS + 1001, ISS + 2001), block(ISS + 3001, ISS + 4001))),
                null);
        // The timeout leaves a one-segment window: the first hole.
        recv(c, c.pollAt(MS), RECV.withSeq(ISS + 1));
        // The guest had [1001, 2001): the next segment out is the hole at 2001, not the SACKed bytes.
        long at = 400 * MS;
        sendQuiet(c, at, SEND.withAck(ISS + 2001).withSackBlocks(List.of(block(ISS + 3001, ISS + 4001))), null);
        recv(c, at, RECV.withSeq(ISS + 2001));
        sendQuiet(c, at, SEND.withAck(ISS + 4001), null);
        recv(c, at, RECV.withSeq(ISS + 4001).withFlags(ACK | PSH));
    }

    @Test
    void established_sackBlocksOutsideTheFlight_areIgnored() {
        TcpConnection c = establishedWithSack(false);
        c.hostData(hostBytes(data(2000, 0)));
        recv(c, MS);
        sendQuiet(c, MS, SEND.withSackBlocks(List.of(block(ISS + 1001, ISS + 9001), block(ISS - 500, ISS))), null);
        assertTrue(c.snd.scoreboard.isEmpty());
    }

    @Test
    void established_withoutSack_guestBlocksAreIgnored() {
        TcpConnection c = established();
        c.hostData(hostBytes(data(3000, 0)));
        recv(c, MS);
        sendQuiet(c, MS, SEND.withSackBlocks(List.of(block(ISS + 1001, ISS + 2001))), null);
        assertTrue(c.snd.scoreboard.isEmpty());
    }

    // ---------------------------------------------------------------- PAWS (RFC 7323 §5)

    @Test
    void established_olderTimestamp_pawsDropsTheSegmentAndAcks() {
        TcpConnection c = establishedWithSack(true);
        sendQuiet(c, MS, SEND.withTimestamps(100, 0), "new".getBytes());
        recv(c, MS);
        assertEquals(100, c.rcv.tsRecent);
        TcpRepr reply = send(c, 2 * MS, SEND.withSeq(GUEST_ISN + 4).withTimestamps(99, 0), "old".getBytes());
        assertEquals(RECV.withAck(GUEST_ISN + 4).withTimestamps(2, 100), reply);
        assertArrayEquals("new".getBytes(), host.written());
        assertEquals(1, stats.droppedCount("paws"));
    }

    @Test
    void established_timestampWrapsAround_isStillNewer() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN).withTimestamps(0xFFFF_FFF0, 0));
        c.accept();
        recv(c, 0);
        sendQuiet(c, 0, SEND.withTimestamps(0xFFFF_FFF8, 0), null);
        sendQuiet(c, MS, SEND.withTimestamps(5, 0), "x".getBytes());
        assertArrayEquals("x".getBytes(), host.written());
        assertEquals(5, c.rcv.tsRecent);
    }

    @Test
    void established_outOfOrderSegment_doesNotMoveTsRecent() {
        TcpConnection c = establishedWithSack(true);
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 11).withTimestamps(500, 0), "later".getBytes());
        assertEquals(10, c.rcv.tsRecent);
        sendQuiet(c, MS, SEND.withTimestamps(20, 0), data(10, 0));
        assertEquals(20, c.rcv.tsRecent, "RFC 7323 §4.3: the segment at the left edge is echoed");
        assertEquals(15, host.written().length);
    }

    @Test
    void established_rstWithOldTimestamp_stillResets() {
        TcpConnection c = establishedWithSack(true);
        sendQuiet(c, MS, SEND.withTimestamps(100, 0), null);
        sendQuiet(c, MS, SEND.withFlags(RST).withTimestamps(1, 0), null);
        assertTrue(c.isClosed());
    }

    @Test
    void established_tsRecentIdleFor24Days_isNoLongerTrusted() {
        TcpConnection c = establishedWithSack(true);
        sendQuiet(c, MS, SEND.withTimestamps(1000, 0), null);
        long later = 25L * 24 * 3600 * 1000 * MS;
        sendQuiet(c, later, SEND.withTimestamps(7, 0), "late".getBytes());
        assertArrayEquals("late".getBytes(), host.written());
    }

    @Test
    void established_ourTsValFollowsTheInjectedClock() {
        TcpConnection c = establishedWithSack(true);
        sendQuiet(c, 1234 * MS, SEND.withTimestamps(11, 0), "a".getBytes());
        recv(c, 1234 * MS, RECV.withAck(GUEST_ISN + 2).withTimestamps(1234, 11));
    }

    // ---------------------------------------------------------------- idle timers

    @Test
    void finWait2_silentGuest_isResetAfterTheTimeout() {
        TcpConnection c = inState(TcpState.FIN_WAIT_2);
        assertEquals(MS + SETTINGS.finWait2Timeout(), c.pollAt(2 * MS));
        recvNothing(c, SETTINGS.finWait2Timeout());
        assertEquals(TcpState.FIN_WAIT_2, c.state());
        List<Emitted> out = recv(c, MS + SETTINGS.finWait2Timeout());
        assertTrue(c.isClosed());
        assertTrue(host.reset);
        assertEquals(RST | ACK, out.get(0).segment().flags());
        assertEquals(1, stats.idleResets);
    }

    @Test
    void finWait2_guestStillSending_restartsTheTimeout() {
        TcpConnection c = inState(TcpState.FIN_WAIT_2);
        long later = SETTINGS.finWait2Timeout() - MS;
        sendQuiet(c, later, SEND.withAck(ISS + 2), "data".getBytes());
        recv(c, later);
        assertEquals(later + SETTINGS.finWait2Timeout(), c.pollAt(later));
        recvNothing(c, SETTINGS.finWait2Timeout() + 2 * MS);
        assertEquals(TcpState.FIN_WAIT_2, c.state());
    }

    @Test
    void established_keepaliveOff_noIdleTimer() {
        TcpConnection c = established();
        assertEquals(TcpConnection.NEVER, c.pollAt(MS));
    }

    @Test
    void established_keepaliveOn_probesAnIdleGuestThenResets() {
        TcpSettings keepalive = SETTINGS.withKeepalive(10_000 * MS, 1000 * MS, 2);
        TcpConnection c = new TcpConnection(keepalive, host, stats, LOCAL_IP, LOCAL_PORT, GUEST_IP, GUEST_PORT, ISS,
                1500);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        sendQuiet(c, 0, SEND, null);
        assertEquals(10_000 * MS, c.pollAt(MS));
        recv(c, 10_000 * MS, RECV.withSeq(ISS));
        // The guest answers: the idle time counts again from its answer.
        sendQuiet(c, 10_001 * MS, SEND, null);
        assertEquals(20_001 * MS, c.pollAt(10_001 * MS));
        recv(c, 20_001 * MS, RECV.withSeq(ISS));
        recv(c, 21_001 * MS, RECV.withSeq(ISS));
        List<Emitted> out = recv(c, 22_001 * MS);
        assertTrue(c.isClosed());
        assertEquals(RST | ACK, out.get(0).segment().flags());
        assertEquals(3, stats.keepalives);
    }

    // ---------------------------------------------------------------- zero window

    @Test
    void established_guestStopsReading_probesBackOff_nothingLostWhenItResumes() {
        TcpConnection c = established();
        byte[] bytes = data(2500, 9);
        c.hostData(hostBytes(bytes));
        List<Emitted> first = recv(c, MS);
        assertEquals(3, first.size());
        // The guest takes everything but its application reads nothing: window 0.
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 2501).withWindow(0), null);
        byte[] more = data(1500, 77);
        c.hostData(hostBytes(more));
        assertFalse(c.wantsHostData(), "nothing more is read from the host while the window is closed");
        recvNothing(c, 2 * MS);
        long at = c.pollAt(2 * MS);
        assertEquals(202 * MS, at);
        for (int i = 0; i < 4; i++) {
            recv(c, at, RECV.withSeq(ISS + 2500));
            sendQuiet(c, at, SEND.withAck(ISS + 2501).withWindow(0), null);
            long next = c.pollAt(at);
            assertEquals(200 * MS << (i + 1), next - at, "probe interval doubles");
            at = next;
        }
        // The application reads again.
        sendQuiet(c, at, SEND.withAck(ISS + 2501).withWindow(30000), null);
        List<Emitted> rest = recv(c, at);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Emitted e : rest) {
            all.writeBytes(e.payload());
        }
        assertArrayEquals(more, all.toByteArray());
        assertEquals(ISS + 2501, rest.get(0).segment().seq());
        assertTrue(c.wantsHostData());
    }

    @Test
    void established_unansweredZeroWindowProbes_giveUp() {
        TcpConnection c = established();
        sendQuiet(c, MS, SEND.withWindow(0), null);
        c.hostData(hostBytes(data(10, 0)));
        recv(c, MS);
        for (int i = 0; i < SETTINGS.maxRetransmissions(); i++) {
            assertEquals(1, recv(c, c.pollAt(MS)).size());
        }
        List<Emitted> out = recv(c, c.pollAt(MS));
        assertTrue(c.isClosed());
        assertEquals(RST | ACK, out.get(0).segment().flags());
    }

    // ---------------------------------------------------------------- every state: RST, close

    /** A connection driven into {@code state} at time 1 ms; the guest's next sequence number is in guestNext. */
    private TcpConnection inState(TcpState state) {
        TcpConnection c = established();
        switch (state) {
            case ESTABLISHED -> {
            }
            case FIN_WAIT_1 -> {
                c.hostEof();
                recv(c, MS, RECV.withFlags(ACK | FIN));
            }
            case FIN_WAIT_2 -> {
                c.hostEof();
                recv(c, MS);
                sendQuiet(c, MS, SEND.withAck(ISS + 2), null);
            }
            case CLOSE_WAIT -> {
                sendQuiet(c, MS, SEND.withFlags(ACK | FIN), null);
                recv(c, MS);
            }
            case CLOSING -> {
                c.hostEof();
                recv(c, MS);
                sendQuiet(c, MS, SEND.withFlags(ACK | FIN), null);
                recv(c, MS);
            }
            case LAST_ACK -> {
                sendQuiet(c, MS, SEND.withFlags(ACK | FIN), null);
                c.hostEof();
                recv(c, MS);
            }
            case TIME_WAIT -> {
                c.hostEof();
                recv(c, MS);
                sendQuiet(c, MS, SEND.withAck(ISS + 2).withFlags(ACK | FIN), null);
                recv(c, MS);
            }
            default -> throw new IllegalArgumentException(state.toString());
        }
        assertEquals(state, c.state());
        return c;
    }

    /** RCV.NXT in each state built by {@link #inState}: one more once the guest's FIN is in. */
    private static int guestNext(TcpState state) {
        return switch (state) {
            case CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT -> GUEST_ISN + 2;
            default -> GUEST_ISN + 1;
        };
    }

    @Test
    void everySynchronizedState_exactRst_closesAndResetsTheHost() {
        for (TcpState state : List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2,
                TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK)) {
            host.reset = false;
            TcpConnection c = inState(state);
            sendQuiet(c, 2 * MS, SEND.withSeq(guestNext(state)).withFlags(RST), null);
            assertTrue(c.isClosed(), state.toString());
            assertTrue(host.reset, state.toString());
            recvNothing(c, 2 * MS);
        }
    }

    @Test
    void everySynchronizedState_inWindowInexactRst_getsChallengeAck() {
        for (TcpState state : List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2,
                TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK)) {
            TcpConnection c = inState(state);
            TcpRepr reply = send(c, 2 * MS, SEND.withSeq(guestNext(state) + 10).withFlags(RST), null);
            assertEquals(ACK, reply.flags(), state.toString());
            assertEquals(guestNext(state), reply.ack(), state.toString());
            assertEquals(state, c.state());
        }
    }

    @Test
    void synReceived_guestRst_closes() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN + 1, 0, RST, 0), null);
        assertTrue(c.isClosed());
        assertTrue(host.reset);
    }

    @Test
    void synSent_rstWithOurAck_closes_withoutAck_ignored() {
        TcpConnection c = connection(ISS);
        c.connect();
        recv(c, 0);
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, 0, 0, RST, 0), null);
        assertEquals(TcpState.SYN_SENT, c.state());
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, 0, ISS + 1, RST | ACK, 0), null);
        assertTrue(c.isClosed());
        assertTrue(host.reset);
    }

    @Test
    void synSent_badAck_getsRst_simultaneousOpenIgnored() {
        TcpConnection c = connection(ISS);
        c.connect();
        recv(c, 0);
        assertEquals(TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 7, 0, RST, 0),
                send(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN, ISS + 7, SYN | ACK, 1000), null));
        sendQuiet(c, MS, TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN, 0, SYN, 1000), null);
        assertEquals(TcpState.SYN_SENT, c.state());
    }

    @Test
    void synSent_timeout_resendsSyn() {
        TcpConnection c = connection(ISS);
        c.connect();
        recv(c, 0);
        List<Emitted> again = recv(c, c.pollAt(0));
        assertEquals(SYN, again.get(0).segment().flags());
        assertEquals(ISS, again.get(0).segment().seq());
    }

    @Test
    void timeWait_rst_isIgnored() {
        TcpConnection c = inState(TcpState.TIME_WAIT);
        sendQuiet(c, 2 * MS, SEND.withSeq(GUEST_ISN + 2).withFlags(RST), null);
        assertEquals(TcpState.TIME_WAIT, c.state(), "RFC 1337: no TIME-WAIT assassination");
        assertFalse(host.reset);
    }

    @Test
    void finWait1_guestFinAckingOurFin_goesStraightToTimeWait() {
        TcpConnection c = inState(TcpState.FIN_WAIT_1);
        sendQuiet(c, 2 * MS, SEND.withAck(ISS + 2).withFlags(ACK | FIN), null);
        assertEquals(TcpState.TIME_WAIT, c.state());
        recv(c, 2 * MS, RECV.withSeq(ISS + 2).withAck(GUEST_ISN + 2));
    }

    @Test
    void closing_timeout_resendsFin() {
        TcpConnection c = inState(TcpState.CLOSING);
        recv(c, c.pollAt(MS), RECV.withAck(GUEST_ISN + 2).withFlags(ACK | FIN));
        assertEquals(TcpState.CLOSING, c.state());
    }

    @Test
    void lastAck_timeout_resendsFin_thenAckCloses() {
        TcpConnection c = inState(TcpState.LAST_ACK);
        recv(c, c.pollAt(MS), RECV.withAck(GUEST_ISN + 2).withFlags(ACK | FIN));
        sendQuiet(c, 500 * MS, SEND.withSeq(GUEST_ISN + 2).withAck(ISS + 2), null);
        assertTrue(c.isClosed());
        assertFalse(host.reset);
    }

    @Test
    void closeWait_guestDataAfterItsFin_isNotDelivered() {
        TcpConnection c = inState(TcpState.CLOSE_WAIT);
        TcpRepr reply = send(c, 2 * MS, SEND.withSeq(GUEST_ISN + 2), "late".getBytes());
        assertEquals(0, host.written().length);
        assertEquals(TcpState.CLOSE_WAIT, c.state());
        assertTrue(reply == null || reply.ack() == GUEST_ISN + 2);
    }

    @Test
    void everyState_hostReset_rstToGuest() {
        for (TcpState state : List.of(TcpState.ESTABLISHED, TcpState.FIN_WAIT_1, TcpState.FIN_WAIT_2,
                TcpState.CLOSE_WAIT, TcpState.CLOSING, TcpState.LAST_ACK)) {
            TcpConnection c = inState(state);
            c.hostReset();
            List<Emitted> out = recv(c, 2 * MS);
            assertTrue(c.isClosed(), state.toString());
            assertEquals(1, out.size(), state.toString());
            assertEquals(RST | ACK, out.get(0).segment().flags(), state.toString());
        }
    }

    @Test
    void timeWait_hostReset_sendsNothing() {
        TcpConnection c = inState(TcpState.TIME_WAIT);
        c.hostReset();
        recvNothing(c, 2 * MS);
    }

    // ---------------------------------------------------------------- wraparound, each direction

    @Test
    void receiveSequenceWraps_outOfOrderAcrossTheWrap_isReassembled() {
        int isn = 0xFFFF_FFF0;
        TcpConnection c = established(ISS, isn);
        byte[] bytes = data(40, 5);
        // Bytes 20..40 (past the wrap) arrive first, then 0..20 (before it).
        sendQuiet(c, MS, SEND.withSeq(isn + 21).withAck(ISS + 1), java.util.Arrays.copyOfRange(bytes, 20, 40));
        assertEquals(0, host.written().length);
        sendQuiet(c, MS, SEND.withSeq(isn + 1).withAck(ISS + 1), java.util.Arrays.copyOfRange(bytes, 0, 20));
        assertArrayEquals(bytes, host.written());
        recv(c, MS, RECV.withAck(isn + 41));
        assertEquals(isn + 41, c.rcv.nxt);
    }

    @Test
    void sendSequenceWraps_retransmissionAcrossTheWrap() {
        int iss = 0xFFFF_FF00;
        TcpConnection c = established(iss, GUEST_ISN);
        byte[] bytes = data(3000, 8);
        c.hostData(hostBytes(bytes));
        List<Emitted> out = recv(c, MS);
        assertEquals(3, out.size());
        // The segment that straddles the wrap is lost; three duplicate ACKs resend it.
        sendQuiet(c, 2 * MS, SEND.withAck(iss + 1), null);
        sendQuiet(c, 2 * MS, SEND.withAck(iss + 1), null);
        sendQuiet(c, 2 * MS, SEND.withAck(iss + 1), null);
        List<Emitted> again = recv(c, 2 * MS);
        assertEquals(1, again.size());
        assertEquals(iss + 1, again.get(0).segment().seq());
        assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 0, 1000), again.get(0).payload());
        sendQuiet(c, 3 * MS, SEND.withAck(iss + 3001), null);
        assertEquals(iss + 3001, c.snd.una);
        assertEquals(0, c.snd.buffer.bytes());
        assertFalse(c.snd.inRecovery);
    }

    @Test
    void sendSequenceWraps_finAcrossTheWrap() {
        int iss = 0xFFFF_FFFE;
        TcpConnection c = established(iss, GUEST_ISN);
        c.hostData(hostBytes("ab".getBytes()));
        c.hostEof();
        recv(c, MS, TcpRepr.of(LOCAL_PORT, GUEST_PORT, iss + 1, GUEST_ISN + 1, ACK | PSH | FIN, BUFFER));
        sendQuiet(c, MS, SEND.withSeq(GUEST_ISN + 1).withAck(iss + 4), null);
        assertEquals(TcpState.FIN_WAIT_2, c.state());
    }

    @Test
    void listen_ack_getsRst() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        assertEquals(TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 1, 0, RST, 0), send(c, 0, SEND, null));
        assertEquals(TcpState.LISTEN, c.state());
    }

    @Test
    void synReceived_hostEofBeforeTheHandshakeEnds_finFollowsIt() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        c.hostEof();
        sendQuiet(c, MS, SEND, null);
        recv(c, MS, RECV.withFlags(ACK | FIN));
        assertEquals(TcpState.FIN_WAIT_1, c.state());
    }

    @Test
    void synReceived_ackWithData_establishesAndDelivers() {
        TcpConnection c = connection(ISS);
        c.listen(guestSyn(GUEST_ISN));
        c.accept();
        recv(c, 0);
        sendQuiet(c, MS, SEND, "first".getBytes());
        assertEquals(TcpState.ESTABLISHED, c.state());
        assertArrayEquals("first".getBytes(), host.written());
    }

    @Test
    void timeWait_lateData_isAckedNotDelivered() {
        TcpConnection c = inState(TcpState.TIME_WAIT);
        TcpRepr reply = send(c, 2 * MS, SEND.withSeq(GUEST_ISN + 1).withAck(ISS + 2), "old".getBytes());
        assertEquals(RECV.withSeq(ISS + 2).withAck(GUEST_ISN + 2), reply);
        assertEquals(0, host.written().length);
    }

    /** Records what the connection asks of the host socket. */
    private static final class FakeHost implements HostEnd {
        private final ByteArrayOutputStream written = new ByteArrayOutputStream();
        int buffered;
        /** Written bytes stay buffered (the host socket takes nothing) until the test drains them. */
        boolean holdWrites;
        boolean shutdown;
        boolean reset;
        int resumes;

        @Override
        public void write(ByteBuf data) {
            try {
                if (holdWrites) {
                    buffered += data.readableBytes();
                }
                written.writeBytes(ByteBufUtil.getBytes(data));
            } finally {
                data.release();
            }
        }

        @Override
        public int bufferedBytes() {
            return buffered;
        }

        @Override
        public void shutdownOutput() {
            shutdown = true;
        }

        @Override
        public void reset() {
            reset = true;
        }

        @Override
        public void resumeReading() {
            resumes++;
        }

        byte[] written() {
            return written.toByteArray();
        }

        void clear() {
            written.reset();
        }
    }
}
