package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.io.IOException;
import org.eclipse.jetty.server.ConnectionFactory.Detecting.Detection;

/**
 * A request that takes its connection out of HTTP (gvproxy's {@code POST /connect} and {@code POST /tunnel}):
 * how its first bytes are recognised, how its head is judged, and which service gets the socket afterwards.
 * {@link SocketHandover} does the rest, the same for every kind.
 */
interface HandoverKind {

    /** For logs, e.g. "POST /connect". */
    String name();

    /**
     * Whether the bytes from the reader index start this kind of request. Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    Detection detect(ByteBuf bytes);

    /**
     * Judges the head that starts at the reader index (see {@link HeadCheck}). Moves no index.
     *
     * @param bytes borrowed: not retained after return
     */
    HeadCheck check(ByteBuf bytes);

    /** Why no service can take the socket now, or null when one can. */
    String unavailable();

    /**
     * The bytes written before the connection closes when its head was refused, or null for none (gvproxy's
     * /connect client expects no HTTP at all).
     */
    byte[] refusal(String reason);

    /**
     * Hands the socket over.
     *
     * @param fd          ownership passes: the callee closes it, also when this throws
     * @param head        the request head as received, its blank line excluded
     * @param alreadyRead what came after the head; transferred: callee releases
     */
    void adopt(int fd, boolean unixDomain, String head, ByteBuf alreadyRead, String description) throws IOException;
}
