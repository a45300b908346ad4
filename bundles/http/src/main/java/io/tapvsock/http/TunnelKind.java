package io.tapvsock.http;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.TunnelStreams;
import io.tapvsock.transport.common.connect.HeadCheck;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.server.ConnectionFactory.Detecting.Detection;

/**
 * gvproxy's {@code POST /tunnel} (compat.md section 4): the socket goes to the {@link TunnelStreams} service,
 * which answers {@code OK} and relays it to a guest's port, or answers an HTTP error. Recognised only while that
 * service is there: without it the request stays HTTP and gets Jetty's answer (404, no such path). A refused
 * head gets a 400 with the reason, since a tunnel client reads HTTP errors.
 */
final class TunnelKind implements HandoverKind {

    private final ServiceHolder<TunnelStreams> tunnels;

    TunnelKind(ServiceHolder<TunnelStreams> tunnels) {
        this.tunnels = tunnels;
    }

    @Override
    public String name() {
        return "POST /tunnel";
    }

    @Override
    public Detection detect(ByteBuf bytes) {
        return tunnels.get() == null ? Detection.NOT_RECOGNIZED : TunnelRequest.detect(bytes);
    }

    @Override
    public HeadCheck check(ByteBuf bytes) {
        return TunnelRequest.check(bytes);
    }

    @Override
    public String unavailable() {
        return tunnels.get() == null ? "no service serves /tunnel (is bundle io.tapvsock.service.tunnel installed?)"
                : null;
    }

    @Override
    public byte[] refusal(String reason) {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        byte[] response = new byte[head.length() + body.length];
        System.arraycopy(head.getBytes(StandardCharsets.US_ASCII), 0, response, 0, head.length());
        System.arraycopy(body, 0, response, head.length(), body.length);
        return response;
    }

    @Override
    public void adopt(int fd, boolean unixDomain, String head, ByteBuf alreadyRead, String description)
            throws IOException {
        TunnelStreams target = tunnels.get();
        if (target == null) {
            alreadyRead.release();
            SocketFds.close(fd);
            throw new IOException(unavailable());
        }
        target.adopt(fd, unixDomain, TunnelRequest.target(head), alreadyRead, "tunnel " + description);
    }
}
