package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.transport.common.connect.ConnectRequest;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.io.IOException;
import org.eclipse.jetty.server.ConnectionFactory.Detecting.Detection;

/**
 * gvproxy's {@code POST /connect} (compat.md section 3): the socket becomes a frame stream of the transport that
 * registers {@link FrameStreams}. transport-common's {@link ConnectRequest} judges the head; no HTTP is ever
 * written, also not on refusal (the client is a frame transport, not an HTTP client).
 */
final class ConnectKind implements HandoverKind {

    private final ServiceHolder<FrameStreams> frameStreams;

    ConnectKind(ServiceHolder<FrameStreams> frameStreams) {
        this.frameStreams = frameStreams;
    }

    @Override
    public String name() {
        return "POST /connect";
    }

    @Override
    public Detection detect(ByteBuf bytes) {
        return switch (ConnectRequest.detect(bytes)) {
            case CONNECT -> Detection.RECOGNIZED;
            case NEED_MORE -> Detection.NEED_MORE_BYTES;
            case NOT_CONNECT -> Detection.NOT_RECOGNIZED;
        };
    }

    @Override
    public HeadCheck check(ByteBuf bytes) {
        return ConnectRequest.check(bytes);
    }

    @Override
    public String unavailable() {
        return frameStreams.get() == null
                ? "no transport serves /connect (is bundle io.tapvsock.transport.vsock installed?)" : null;
    }

    @Override
    public byte[] refusal(String reason) {
        return null;
    }

    @Override
    public void adopt(int fd, boolean unixDomain, String head, ByteBuf alreadyRead, String description)
            throws IOException {
        FrameStreams target = frameStreams.get();
        if (target == null) {
            alreadyRead.release();
            SocketFds.close(fd);
            throw new IOException(unavailable());
        }
        target.adopt(fd, unixDomain, alreadyRead, "connect " + description);
    }
}
