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
            2000 * MS, 30_000, 128, 16384, 8, 5);

    /** A guest segment template. */
    private static final TcpRepr SEND = TcpRepr.of(GUEST_PORT, LOCAL_PORT, GUEST_ISN + 1, ISS + 1, ACK, 30000);
    /** A segment of ours, the template for expectations. */
    private static final TcpRepr RECV = TcpRepr.of(LOCAL_PORT, GUEST_PORT, ISS + 1, GUEST_ISN + 1, ACK, BUFFER);

    private final FakeHost host = new FakeHost();
    private final TcpStats stats = new TcpStats();
    private final List<Emitted> emitted = new ArrayList<>();
    private final SegmentSink sink = (source, destination, segment, payload) -> {
        assertEquals(LOCAL_IP, source);
        assertEquals(GUEST_IP, destination);
        byte[] bytes = payload == null ? new byte[0] : ByteBufUtil.getBytes(payload);
        if (payload != null) {
            payload.release();
        }
        emitted.add(new Emitted(segment, bytes));
    };

    private record Emitted(TcpRepr segment, byte[] payload) {
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
