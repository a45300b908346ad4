package io.tapvsock.service.dns.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.Consumer;

/**
 * DNS over one TCP connection: the byte stream is cut into messages by their 2-byte length prefix, each is
 * answered by the {@link DnsServer}, and each reply is written back with its prefix, in the order answers come
 * (RFC 7766 §6.2.1.1 lets a server answer pipelined queries out of order; the IDs tell them apart).
 *
 * <p>Read first: RFC 1035 §4.2.2 (the length prefix), RFC 7766 §6-§8 (pipelining, connection handling).
 * Network loop only. Memory is bounded: at most one partial message (2 + 65535 bytes) is held.
 */
public final class DnsStreamSession {

    private static final int PREFIX = 2;

    private final DnsServer server;
    private final ByteBufAllocator alloc;
    private final Consumer<ByteBuf> output;
    private ByteBuf pending;
    private boolean closed;

    /**
     * @param output gets each reply with its length prefix; transferred: the consumer releases
     */
    public DnsStreamSession(DnsServer server, ByteBufAllocator alloc, Consumer<ByteBuf> output) {
        this.server = server;
        this.alloc = alloc;
        this.output = output;
    }

    /**
     * Bytes that arrived on the connection.
     *
     * @param bytes borrowed: not retained after return
     */
    public void received(ByteBuf bytes) {
        if (closed) {
            return;
        }
        if (pending == null) {
            pending = alloc.buffer(Math.max(PREFIX, bytes.readableBytes()));
        }
        pending.writeBytes(bytes, bytes.readerIndex(), bytes.readableBytes());
        while (pending.readableBytes() >= PREFIX) {
            int length = pending.getUnsignedShort(pending.readerIndex());
            if (pending.readableBytes() < PREFIX + length) {
                break;
            }
            pending.skipBytes(PREFIX);
            ByteBuf message = pending.readSlice(length);
            server.answerTcp(message, this::send);
        }
        if (!pending.isReadable()) {
            pending.release();
            pending = null;
        } else {
            pending.discardReadBytes();
        }
    }

    /** The connection is gone: answers still on their way are dropped. Idempotent. */
    public void close() {
        closed = true;
        if (pending != null) {
            pending.release();
            pending = null;
        }
    }

    /** @param reply transferred: callee releases */
    private void send(ByteBuf reply) {
        try {
            if (closed) {
                return;
            }
            ByteBuf framed = alloc.buffer(PREFIX + reply.readableBytes());
            framed.writeShort(reply.readableBytes());
            framed.writeBytes(reply, reply.readerIndex(), reply.readableBytes());
            output.accept(framed);
        } finally {
            reply.release();
        }
    }
}
