package io.tapvsock.stack.tcp;

import static io.tapvsock.stack.wire.TcpHeader.ACK;
import static io.tapvsock.stack.wire.TcpHeader.FIN;
import static io.tapvsock.stack.wire.TcpHeader.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.stack.wire.SeqNum;
import io.tapvsock.stack.wire.TcpRepr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property test of the receive path (RFC 9293 §3.10.7.4): a simulated guest sender uploads a known byte sequence
 * and a FIN over a link that drops, duplicates and reorders segments both ways, with random segment boundaries on
 * every (re)transmission, through one {@link TcpConnection} on a manual clock. Whatever the seed, the host end must
 * receive exactly the whole sequence, in order, before its output is shut down, and the guest must end up with
 * everything (FIN included) acknowledged. The guest is deliberately cruder than a real stack (go-back-N after a
 * timeout, random overlapping resends) so that odd overlaps show up.
 */
class TcpReceiveLossyLinkTest {

    private static final long MS = 1_000_000L;
    private static final int LOCAL_IP = 0x7F00_0001;
    private static final int GUEST_IP = 0xC0A8_7F02;
    private static final int ISS = 1000;
    private static final int MSS = 1000;
    private static final TcpStats STATS = new TcpStats();

    @Test
    void lossyReorderingDuplicatingLink_hostGetsExactlyTheBytesThenEof() {
        for (long seed = 1; seed <= 400; seed++) {
            new Run(seed).run();
        }
        // Coverage: the runs did drive the paths this test is about.
        for (String reason : List.of("out-of-window", "beyond-window", "paws")) {
            assertTrue(STATS.droppedCount(reason) > 0, reason);
        }
    }

    /** One upload under one seed. */
    private static final class Run {
        private final long seed;
        private final SplittableRandom random;
        private final byte[] data;
        private final int isn;
        private final RecordingHost host;
        private final TcpConnection connection;
        private final boolean timestamps;
        private final int guestShift;
        private final double loss;
        private final double duplication;
        private final int maxDelay;
        /** Segments in flight toward the connection and toward the guest. */
        private final List<InFlight> toStack = new ArrayList<>();
        private final List<InFlight> toGuest = new ArrayList<>();
        private long now;
        // The guest sender, in offsets from the first data byte (the FIN is at data.length).
        private int una;
        private int nxt;
        private int wnd;
        private int dupAcks;
        private long lastProgress;

        Run(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
            this.data = new byte[20_000 + random.nextInt(150_000)];
            random.nextBytes(data);
            this.isn = random.nextInt(); // any ISN: some runs wrap the sequence space
            int buffer = 4096 + random.nextInt(100_000);
            int maxOutOfOrder = 1 + random.nextInt(16);
            TcpSettings settings = new TcpSettings(buffer, buffer, 200 * MS, 60_000 * MS, 1000 * MS, 2000 * MS,
                    30_000, 128, 16384, maxOutOfOrder, 1000, 600_000 * MS, 0, 75_000 * MS, 9, 0);
            this.host = new RecordingHost(data);
            this.connection = new TcpConnection(settings, host, STATS, LOCAL_IP, 80, GUEST_IP, 50000, ISS,
                    1500);
            this.timestamps = random.nextBoolean();
            this.guestShift = random.nextBoolean() ? -1 : random.nextInt(8);
            this.loss = random.nextDouble() * 0.3;
            this.duplication = random.nextDouble() * 0.2;
            this.maxDelay = random.nextInt(30);
        }

        void run() {
            TcpRepr syn = TcpRepr.of(50000, 80, isn, 0, SYN, 65535).withMss(MSS).withWindowScale(guestShift)
                    .withSackPermitted(random.nextBoolean());
            if (timestamps) {
                syn = syn.withTimestamps(tsVal(), 0);
            }
            connection.listen(syn, now);
            connection.accept();
            List<Out> synAck = dispatch();
            assertEquals(1, synAck.size(), this::describe);
            wnd = synAck.get(0).segment().window();
            process(guestSegment(0, ACK), null);
            assertEquals(TcpState.ESTABLISHED, connection.state(), this::describe);

            lastProgress = now;
            for (int tick = 0; tick < 2_000_000 && !(una == data.length + 1 && host.shutdown); tick++) {
                now += MS;
                deliverToStack();
                toGuest.addAll(impair(dispatch()));
                host.drain(random);
                if (host.drainedEnough()) {
                    connection.hostDrained();
                }
                deliverToGuest();
                guestSend();
            }
            assertEquals(data.length + 1, una, () -> "the guest's FIN was never acknowledged; " + describe());
            assertTrue(host.shutdown, this::describe);
            assertArrayEquals(data, host.written(), this::describe);
            host.clear();
            for (InFlight f : toStack) {
                f.release();
            }
            connection.release();
        }

        private String describe() {
            return "seed " + seed + ": " + data.length + " bytes, isn " + Integer.toUnsignedString(isn) + ", ts "
                    + timestamps + ", shift " + guestShift + ", loss " + loss + ", dup " + duplication
                    + ", delay " + maxDelay + "; guest una " + una + " nxt " + nxt + " wnd " + wnd
                    + "; host got " + host.writtenLength() + (host.shutdown ? " then EOF" : "") + "; "
                    + connection.state();
        }

        private int tsVal() {
            return (int) (now / MS);
        }

        private TcpRepr guestSegment(int offset, int flags) {
            TcpRepr seg = TcpRepr.of(50000, 80, isn + 1 + offset, ISS + 1, flags, 65535);
            return timestamps ? seg.withTimestamps(tsVal(), 0) : seg;
        }

        /** The guest transmits: new data within the window, go-back-N after a timeout, now and then an old range. */
        private void guestSend() {
            if (una == data.length + 1) {
                return;
            }
            if (now - lastProgress > 60 * MS) {
                nxt = una; // timeout: go back to the first unacknowledged byte
                lastProgress = now;
                if (wnd == 0) {
                    transmit(una, Math.min(1, data.length - una)); // a zero-window probe carrying a byte
                    return;
                }
            }
            if (random.nextInt(50) == 0 && una < nxt) {
                // A resend of an arbitrary range of what is in flight, with other segment boundaries.
                int from = una - Math.min(una, random.nextInt(3 * MSS));
                int to = Math.min(nxt, from + 1 + random.nextInt(2 * MSS));
                transmit(from, Math.min(to, data.length) - from);
            }
            if (random.nextInt(40) == 0) {
                // Any range of the stream near the window, past its right edge too; the FIN goes with the last byte.
                int from = Math.max(0, una - random.nextInt(3 * MSS) + random.nextInt(Math.max(1, wnd) + 2 * MSS));
                from = Math.min(from, data.length);
                int to = random.nextInt(3) == 0 ? data.length : Math.min(data.length, from + random.nextInt(3 * MSS));
                transmit(from, to - from);
            }
            while (nxt <= data.length && nxt - una < Math.max(wnd, 0)) {
                int n = Math.min(Math.min(1 + random.nextInt(MSS), data.length - nxt), wnd - (nxt - una));
                if (n == 0 && nxt < data.length) {
                    break;
                }
                transmit(nxt, n);
                nxt += n + (nxt + n == data.length ? 1 : 0);
                if (nxt > data.length) {
                    break;
                }
            }
        }

        /** Sends data bytes [offset, offset + n) and the FIN when they end the data. */
        private void transmit(int offset, int n) {
            boolean fin = offset + n == data.length;
            TcpRepr seg = guestSegment(offset, fin ? ACK | FIN : ACK);
            byte[] payload = Arrays.copyOfRange(data, offset, offset + n);
            int copies = random.nextDouble() < loss ? 0 : random.nextDouble() < duplication ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                toStack.add(new InFlight(now + random.nextInt(maxDelay + 1) * MS, seg,
                        n == 0 ? null : Unpooled.wrappedBuffer(payload)));
            }
        }

        private void deliverToStack() {
            for (InFlight f : due(toStack)) {
                try {
                    TcpRepr reply = connection.process(f.segment(), f.payload(), now);
                    if (reply != null) {
                        toGuest.addAll(impair(List.of(new Out(reply))));
                    }
                } finally {
                    f.release();
                }
                host.check(this);
            }
        }

        private void process(TcpRepr seg, byte[] payload) {
            ByteBuf buf = payload == null ? null : Unpooled.wrappedBuffer(payload);
            try {
                connection.process(seg, buf, now);
            } finally {
                if (buf != null) {
                    buf.release();
                }
            }
        }

        private void deliverToGuest() {
            for (InFlight f : due(toGuest)) {
                TcpRepr seg = f.segment();
                int acked = SeqNum.diff(seg.ack(), isn + 1);
                int window = guestShift >= 0 ? seg.window() << connection.rcv.windowShift : seg.window();
                if (acked > data.length + 1 || acked < 0) {
                    fail("ACK beyond what the guest sent: " + acked + "; " + describe());
                }
                if (acked > una) {
                    una = acked;
                    if (nxt < una) {
                        nxt = una;
                    }
                    dupAcks = 0;
                    lastProgress = now;
                } else if (acked == una && una < nxt && ++dupAcks == 3) {
                    transmit(una, Math.min(MSS, Math.min(nxt, data.length) - una)); // fast retransmit
                }
                wnd = window;
            }
        }

        private List<InFlight> due(List<InFlight> queue) {
            List<InFlight> out = new ArrayList<>();
            queue.removeIf(f -> {
                if (f.at() <= now) {
                    out.add(f);
                    return true;
                }
                return false;
            });
            return out;
        }

        private List<InFlight> impair(List<Out> segments) {
            List<InFlight> out = new ArrayList<>();
            for (Out o : segments) {
                int copies = random.nextDouble() < loss ? 0 : random.nextDouble() < duplication ? 2 : 1;
                for (int i = 0; i < copies; i++) {
                    out.add(new InFlight(now + random.nextInt(maxDelay + 1) * MS, o.segment(), null));
                }
            }
            return out;
        }

        private List<Out> dispatch() {
            List<Out> out = new ArrayList<>();
            connection.dispatch(now, (source, destination, segment, payload, segmentSize) -> {
                if (payload != null) {
                    payload.release();
                    fail("the connection sent data though the host sent none");
                }
                out.add(new Out(segment));
            });
            return out;
        }
    }

    private record Out(TcpRepr segment) {
    }

    /** A segment on the simulated link; the payload (when any) is released once delivered. */
    private record InFlight(long at, TcpRepr segment, ByteBuf payload) {
        void release() {
            if (payload != null) {
                payload.release();
            }
        }
    }

    /**
     * The host socket: checks every write continues the expected bytes, and that output is shut down only after
     * all of them; takes written bytes at a random pace so the window moves.
     */
    private static final class RecordingHost implements HostEnd {
        private final byte[] expected;
        private int writtenLength;
        private int buffered;
        private int bufferedAtLastUpdate;
        private int stalledFor;
        boolean shutdown;
        boolean reset;
        private String problem;

        RecordingHost(byte[] expected) {
            this.expected = expected;
        }

        @Override
        public void write(ByteBuf data) {
            try {
                int n = data.readableBytes();
                if (shutdown) {
                    problem = problem != null ? problem : "a write of " + n + " bytes after shutdownOutput";
                    return;
                }
                if (writtenLength + n > expected.length) {
                    problem = problem != null ? problem : "more bytes than the guest sent";
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (data.getByte(data.readerIndex() + i) != expected[writtenLength + i]) {
                        problem = problem != null ? problem : "byte " + (writtenLength + i) + " differs";
                        return;
                    }
                }
                writtenLength += n;
                buffered += n;
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
            if (writtenLength != expected.length) {
                problem = problem != null ? problem
                        : "shutdownOutput after " + writtenLength + " of " + expected.length + " bytes";
            }
            shutdown = true;
        }

        @Override
        public void reset() {
            reset = true;
            problem = problem != null ? problem : "reset";
        }

        @Override
        public void resumeReading() {
        }

        void check(Run run) {
            if (problem != null) {
                fail(problem + "; " + run.describe());
            }
            assertFalse(reset, run::describe);
        }

        /** The host socket takes some of what was written, or stalls for a while. */
        void drain(SplittableRandom random) {
            if (stalledFor > 0) {
                stalledFor--;
                return;
            }
            if (random.nextInt(100) == 0) {
                stalledFor = random.nextInt(300); // the host stops reading a while: the window closes
            } else if (random.nextInt(4) != 0) {
                buffered -= Math.min(buffered, random.nextInt(4000));
            }
        }

        boolean drainedEnough() {
            boolean grew = bufferedAtLastUpdate - buffered >= MSS;
            if (grew || buffered > bufferedAtLastUpdate) {
                bufferedAtLastUpdate = buffered;
            }
            return grew;
        }

        int writtenLength() {
            return writtenLength;
        }

        byte[] written() {
            return Arrays.copyOf(expected, writtenLength);
        }

        void clear() {
            buffered = 0;
        }
    }
}
