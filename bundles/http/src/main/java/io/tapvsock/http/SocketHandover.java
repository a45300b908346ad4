package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.transport.common.connect.ConnectRequest;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * A connection whose request takes it out of HTTP ({@code POST /connect}, {@code POST /tunnel}; see
 * {@link HandoverKind}): reads the rest of its request head, checks it, and hands the socket itself to the
 * kind's service, writing nothing. The socket's fd is duplicated before Jetty closes its own channel (a close,
 * never a shutdown: see {@link SocketFds#linger}), so the service owns a socket Jetty no longer knows, on its own
 * event loop, with no copying between Jetty and Netty. Bytes that came with the head go along: they are the
 * start of the stream. A bad head, or no service to take the socket, closes the connection with a logged
 * reason (after the kind's refusal, if it has one).
 */
final class SocketHandover extends AbstractConnection implements Connection.UpgradeTo {

    private static final System.Logger LOG = System.getLogger(SocketHandover.class.getName());

    private final String description;
    private final HandoverKind kind;
    /** What arrived so far, in Jetty's flush mode (position 0 to limit is content; fill appends). */
    private final ByteBuffer received = BufferUtil.allocate(ConnectRequest.MAX_HEAD + 64 * 1024);

    SocketHandover(EndPoint endPoint, Executor executor, String description, HandoverKind kind) {
        super(endPoint, executor);
        this.description = description;
        this.kind = kind;
    }

    @Override
    public void onUpgradeTo(ByteBuffer prefilled) {
        if (prefilled != null) {
            BufferUtil.append(received, prefilled);
        }
    }

    @Override
    public void onOpen() {
        super.onOpen();
        if (!tryHandover()) {
            fillInterested();
        }
    }

    @Override
    public void onFillable() {
        try {
            while (true) {
                int filled = getEndPoint().fill(received);
                if (filled < 0) {
                    refuse("the client closed before the end of its request head");
                    return;
                }
                if (filled == 0) {
                    fillInterested();
                    return;
                }
                if (tryHandover()) {
                    return;
                }
            }
        } catch (IOException e) {
            refuse("reading the request failed: " + e.getMessage());
        }
    }

    /** True when the connection was handed over or refused; false when more of the head must come. */
    private boolean tryHandover() {
        ByteBuffer view = received.duplicate();
        int end;
        String head;
        ByteBuf bytes = Unpooled.wrappedBuffer(view);
        try {
            switch (kind.check(bytes)) {
                case HeadCheck.Incomplete incomplete -> {
                    return false;
                }
                case HeadCheck.Refused refused -> {
                    refuse(refused.detail());
                    return true;
                }
                case HeadCheck.Accepted accepted -> {
                    end = view.position() + accepted.length();
                    head = bytes.toString(bytes.readerIndex(), accepted.length(), StandardCharsets.ISO_8859_1)
                            .stripTrailing();
                }
            }
        } finally {
            bytes.release();
        }
        String unavailable = kind.unavailable();
        if (unavailable != null) {
            refuse(unavailable);
            return true;
        }
        ByteBuf alreadyRead = Unpooled.copiedBuffer(view.position(end));
        int fd;
        boolean unixDomain;
        try {
            SocketChannel channel = (SocketChannel) getEndPoint().getTransport();
            unixDomain = channel.getLocalAddress() instanceof UnixDomainSocketAddress;
            fd = SocketFds.duplicate(channel);
        } catch (IOException | RuntimeException e) {
            alreadyRead.release();
            refuse("cannot take the socket over: " + e.getMessage());
            return true;
        }
        try {
            SocketFds.linger(fd, true);
            getEndPoint().close(); // Jetty closes its channel without a shutdown: our duplicate keeps the socket
            SocketFds.linger(fd, false);
        } catch (IOException e) {
            alreadyRead.release();
            SocketFds.close(fd);
            refuse("cannot take the socket over: " + e.getMessage());
            return true;
        }
        try {
            kind.adopt(fd, unixDomain, head, alreadyRead, description);
            LOG.log(Level.INFO, "{0}: {1}, the connection is handed over", description, kind.name());
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: {1} refused by its service: {2}", description, kind.name(), e.getMessage());
        }
        return true;
    }

    private void refuse(String reason) {
        LOG.log(Level.WARNING, "{0}: {1} refused: {2}", description, kind.name(), reason);
        byte[] refusal = kind.refusal(reason);
        if (refusal == null || !getEndPoint().isOpen()) {
            getEndPoint().close();
            return;
        }
        getEndPoint().write(Callback.from(getEndPoint()::close), ByteBuffer.wrap(refusal));
    }
}
