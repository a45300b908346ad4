package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.transport.common.connect.ConnectRequest;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;
import org.eclipse.jetty.io.AbstractConnection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

/**
 * A connection that asked for {@code POST /connect}: reads the rest of its request head, checks it, and hands
 * the socket itself to the {@link FrameStreams} service, writing nothing (gvproxy sends no response; the frame
 * stream starts at once). The socket's fd is duplicated before Jetty closes its own channel (a close, never a
 * shutdown: see {@link SocketFds#linger}), so the transport owns a socket Jetty no longer knows, on its own event loop, with no copying
 * between Jetty and Netty. Bytes that came with the head are the start of the frame stream and go along.
 * A bad head, or no transport to take the stream, closes the connection with a logged reason.
 */
final class ConnectHandover extends AbstractConnection implements Connection.UpgradeTo {

    private static final System.Logger LOG = System.getLogger(ConnectHandover.class.getName());

    private final String description;
    private final FrameStreamsHolder frameStreams;
    /** What arrived so far, in Jetty's flush mode (position 0 to limit is content; fill appends). */
    private final ByteBuffer received = BufferUtil.allocate(ConnectRequest.MAX_HEAD + 64 * 1024);

    ConnectHandover(EndPoint endPoint, Executor executor, String description, FrameStreamsHolder frameStreams) {
        super(endPoint, executor);
        this.description = description;
        this.frameStreams = frameStreams;
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
        ByteBuf bytes = Unpooled.wrappedBuffer(view);
        try {
            switch (ConnectRequest.check(bytes)) {
                case HeadCheck.Incomplete incomplete -> {
                    return false;
                }
                case HeadCheck.Refused refused -> {
                    refuse(refused.detail());
                    return true;
                }
                case HeadCheck.Accepted accepted -> end = view.position() + accepted.length();
            }
        } finally {
            bytes.release();
        }
        FrameStreams target = frameStreams.get();
        if (target == null) {
            refuse("no transport serves /connect (is bundle io.tapvsock.transport.vsock installed?)");
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
            target.adopt(fd, unixDomain, alreadyRead, "connect " + description);
            LOG.log(Level.INFO, "{0}: POST /connect, the connection is now a frame stream", description);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "{0}: POST /connect refused by the transport: {1}", description, e.getMessage());
        }
        return true;
    }

    private void refuse(String reason) {
        LOG.log(Level.WARNING, "{0}: POST /connect refused: {1}", description, reason);
        getEndPoint().close();
    }
}
