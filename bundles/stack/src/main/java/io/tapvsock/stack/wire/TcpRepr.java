package io.tapvsock.stack.wire;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP header with its options parsed (RFC 9293 §3.1-3.2); the payload stays in its buffer. Read RFC 9293,
 * RFC 7323 (window scale §2, timestamps §3), RFC 2018 (SACK) and RFC 6691 (MSS) before editing.
 *
 * @param window the window field as sent, not scaled: the connection applies the negotiated shift
 * @param mss the MSS option, 0 when absent (only meaningful on SYN segments)
 * @param windowScale the window scale shift count, -1 when absent (only meaningful on SYN segments)
 * @param timestamps whether the timestamps option is present; then {@code tsVal} and {@code tsEcr} hold it
 * @param sackBlocks the SACK option's blocks, empty when absent
 */
public record TcpRepr(int sourcePort, int destinationPort, int seq, int ack, int flags, int window, int urgent, int mss,
        int windowScale, boolean sackPermitted, boolean timestamps, int tsVal, int tsEcr, List<SackBlock> sackBlocks) {

    /** RFC 7323 §2.3: shifts above 14 are treated as 14. */
    public static final int MAX_WINDOW_SCALE = 14;

    private static final int KIND_END = 0;
    private static final int KIND_NOP = 1;
    private static final int KIND_MSS = 2;
    private static final int KIND_WINDOW_SCALE = 3;
    private static final int KIND_SACK_PERMITTED = 4;
    private static final int KIND_SACK = 5;
    private static final int KIND_TIMESTAMPS = 8;

    /** Room for options in a header: data offset 15 words minus the fixed 5. */
    private static final int MAX_OPTIONS = TcpHeader.MAX_LENGTH - TcpHeader.MIN_LENGTH;

    /** One SACK block: the bytes {@code [left, right)} arrived (RFC 2018 §3). */
    public record SackBlock(int left, int right) {
    }

    public TcpRepr {
        sackBlocks = List.copyOf(sackBlocks);
    }

    /** A segment without options. */
    public static TcpRepr of(int sourcePort, int destinationPort, int seq, int ack, int flags, int window) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, 0, 0, -1, false, false, 0, 0,
                List.of());
    }

    /**
     * Reads a header whose {@code checkLen()} passed. The checksum is the IPv4 layer's business (it verifies it
     * before handing the segment over).
     *
     * @throws WireException "tcp-bad-flags" for SYN with RST or FIN (RFC 9293 never produces them), or
     *     "tcp-bad-option" for an option that runs past the header or has an impossible length
     */
    public static TcpRepr parse(TcpHeader header) {
        int flags = header.flags();
        if ((flags & TcpHeader.SYN) != 0 && (flags & (TcpHeader.RST | TcpHeader.FIN)) != 0) {
            throw new WireException("tcp-bad-flags");
        }
        ByteBuf buf = header.buffer();
        int i = header.optionsOffset();
        int end = i + header.optionsLength();
        int mss = 0;
        int windowScale = -1;
        boolean sackPermitted = false;
        boolean timestamps = false;
        int tsVal = 0;
        int tsEcr = 0;
        List<SackBlock> sack = List.of();
        while (i < end) {
            int kind = buf.getUnsignedByte(i);
            if (kind == KIND_END) {
                break;
            }
            if (kind == KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) {
                throw new WireException("tcp-bad-option");
            }
            int length = buf.getUnsignedByte(i + 1);
            if (length < 2 || i + length > end) {
                throw new WireException("tcp-bad-option");
            }
            switch (kind) {
                case KIND_MSS -> {
                    requireLength(length, 4);
                    mss = buf.getUnsignedShort(i + 2);
                }
                case KIND_WINDOW_SCALE -> {
                    requireLength(length, 3);
                    windowScale = Math.min(buf.getUnsignedByte(i + 2), MAX_WINDOW_SCALE);
                }
                case KIND_SACK_PERMITTED -> {
                    requireLength(length, 2);
                    sackPermitted = true;
                }
                case KIND_TIMESTAMPS -> {
                    requireLength(length, 10);
                    timestamps = true;
                    tsVal = buf.getInt(i + 2);
                    tsEcr = buf.getInt(i + 6);
                }
                case KIND_SACK -> {
                    if ((length - 2) % 8 != 0) {
                        throw new WireException("tcp-bad-option");
                    }
                    List<SackBlock> blocks = new ArrayList<>((length - 2) / 8);
                    for (int b = i + 2; b < i + length; b += 8) {
                        blocks.add(new SackBlock(buf.getInt(b), buf.getInt(b + 4)));
                    }
                    sack = blocks;
                }
                default -> {
                    // RFC 9293 §3.2: an unknown option is skipped by its length.
                }
            }
            i += length;
        }
        return new TcpRepr(header.sourcePort(), header.destinationPort(), header.sequence(), header.acknowledgment(),
                flags, header.window(), header.urgentPointer(), mss, windowScale, sackPermitted, timestamps, tsVal,
                tsEcr, sack);
    }

    private static void requireLength(int length, int expected) {
        if (length != expected) {
            throw new WireException("tcp-bad-option");
        }
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    /** Sequence space the segment occupies: the payload plus one each for SYN and FIN (RFC 9293 §3.4). */
    public int sequenceLength(int payloadLength) {
        return payloadLength + (has(TcpHeader.SYN) ? 1 : 0) + (has(TcpHeader.FIN) ? 1 : 0);
    }

    /** The SACK blocks that fit in the options room left by the other options. */
    private int sackBlocksThatFit() {
        if (sackBlocks.isEmpty()) {
            return 0;
        }
        int room = MAX_OPTIONS - fixedOptionsLen() - 4;
        return Math.max(0, Math.min(sackBlocks.size(), room / 8));
    }

    /** Each option padded to 4 bytes with leading NOPs, as Linux lays them out. */
    private int fixedOptionsLen() {
        return (mss > 0 ? 4 : 0) + (windowScale >= 0 ? 4 : 0) + (sackPermitted ? 4 : 0) + (timestamps ? 12 : 0);
    }

    /** Header length including options. */
    public int headerLen() {
        int blocks = sackBlocksThatFit();
        return TcpHeader.MIN_LENGTH + fixedOptionsLen() + (blocks > 0 ? 4 + 8 * blocks : 0);
    }

    /**
     * Writes every header field, the options and the checksum over the IPv4 pseudo-header of {@code source} and
     * {@code destination}; the view must wrap at least {@link #headerLen()} bytes.
     *
     * @param payload borrowed: not retained after return; its readable bytes are the payload; may be null
     */
    public void emit(TcpHeader header, int source, int destination, ByteBuf payload) {
        emit(header, source, destination, payload, false);
    }

    /**
     * As {@link #emit(TcpHeader, int, int, ByteBuf)}; with {@code partialChecksum} the checksum field gets only the
     * pseudo-header sum, for a link that completes it (checksum offload).
     *
     * @param payload borrowed: not retained after return; its readable bytes are the payload; may be null
     */
    public void emit(TcpHeader header, int source, int destination, ByteBuf payload, boolean partialChecksum) {
        int headerLen = headerLen();
        header.setSourcePort(sourcePort);
        header.setDestinationPort(destinationPort);
        header.setSequence(seq);
        header.setAcknowledgment(ack);
        header.setHeaderLen(headerLen);
        header.setFlags(flags);
        header.setWindow(window);
        header.setUrgentPointer(urgent);
        ByteBuf buf = header.buffer();
        int i = header.optionsOffset();
        if (mss > 0) {
            buf.setByte(i, KIND_MSS).setByte(i + 1, 4).setShort(i + 2, mss);
            i += 4;
        }
        if (windowScale >= 0) {
            buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_WINDOW_SCALE).setByte(i + 2, 3).setByte(i + 3, windowScale);
            i += 4;
        }
        if (sackPermitted) {
            buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP).setByte(i + 2, KIND_SACK_PERMITTED).setByte(i + 3, 2);
            i += 4;
        }
        if (timestamps) {
            buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP).setByte(i + 2, KIND_TIMESTAMPS).setByte(i + 3, 10);
            buf.setInt(i + 4, tsVal).setInt(i + 8, tsEcr);
            i += 12;
        }
        int blocks = sackBlocksThatFit();
        if (blocks > 0) {
            buf.setByte(i, KIND_NOP).setByte(i + 1, KIND_NOP).setByte(i + 2, KIND_SACK).setByte(i + 3, 2 + 8 * blocks);
            i += 4;
            for (int b = 0; b < blocks; b++) {
                buf.setInt(i, sackBlocks.get(b).left()).setInt(i + 4, sackBlocks.get(b).right());
                i += 8;
            }
        }
        int payloadLen = payload == null ? 0 : payload.readableBytes();
        if (partialChecksum) {
            header.fillPseudoHeaderChecksum(source, destination, payloadLen);
        } else {
            header.fillChecksum(source, destination, payload, payload == null ? 0 : payload.readerIndex(), payloadLen);
        }
    }

    public TcpRepr withPorts(int source, int destination) {
        return new TcpRepr(source, destination, seq, ack, flags, window, urgent, mss, windowScale, sackPermitted,
                timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withSeq(int value) {
        return new TcpRepr(sourcePort, destinationPort, value, ack, flags, window, urgent, mss, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withAck(int value) {
        return new TcpRepr(sourcePort, destinationPort, seq, value, flags, window, urgent, mss, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withFlags(int value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, value, window, urgent, mss, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withWindow(int value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, value, urgent, mss, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withMss(int value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, value, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withWindowScale(int value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, mss, value, sackPermitted,
                timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withSackPermitted(boolean value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, mss, windowScale, value,
                timestamps, tsVal, tsEcr, sackBlocks);
    }

    public TcpRepr withTimestamps(int value, int echo) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, mss, windowScale,
                sackPermitted, true, value, echo, sackBlocks);
    }

    public TcpRepr withoutTimestamps() {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, mss, windowScale,
                sackPermitted, false, 0, 0, sackBlocks);
    }

    public TcpRepr withSackBlocks(List<SackBlock> value) {
        return new TcpRepr(sourcePort, destinationPort, seq, ack, flags, window, urgent, mss, windowScale,
                sackPermitted, timestamps, tsVal, tsEcr, value);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("TCP ").append(sourcePort).append(" > ").append(destinationPort)
                .append(" [");
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        boolean first = true;
        for (int bit = 0; bit < names.length; bit++) {
            if ((flags & (1 << bit)) != 0) {
                text.append(first ? "" : ",").append(names[bit]);
                first = false;
            }
        }
        text.append("] seq=").append(Integer.toUnsignedString(seq)).append(" ack=")
                .append(Integer.toUnsignedString(ack)).append(" win=").append(window);
        if (mss > 0) {
            text.append(" mss=").append(mss);
        }
        if (windowScale >= 0) {
            text.append(" ws=").append(windowScale);
        }
        if (sackPermitted) {
            text.append(" sackOK");
        }
        if (timestamps) {
            text.append(" ts=").append(Integer.toUnsignedString(tsVal)).append('/')
                    .append(Integer.toUnsignedString(tsEcr));
        }
        if (!sackBlocks.isEmpty()) {
            text.append(" sack=").append(sackBlocks);
        }
        return text.toString();
    }
}
