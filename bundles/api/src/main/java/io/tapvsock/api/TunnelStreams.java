package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes over connected stream sockets whose client asked for gvproxy's {@code POST /tunnel?ip=A.B.C.D&port=N}
 * on an API endpoint (compat.md section 4). The API endpoint reads the request head and writes nothing; the
 * service that registers this answers: the two bytes {@code OK} and then the raw byte stream of a TCP connection
 * to ip:port inside the virtual network, or an HTTP error response with the reason.
 */
@ConsumerType
public interface TunnelStreams {

    /**
     * Takes the socket over. Any thread.
     *
     * @param fd            a connected, non-blocking stream socket; ownership passes: the callee closes it, also
     *                      when this throws
     * @param unixDomain    AF_UNIX (else AF_INET/AF_INET6)
     * @param requestTarget the request line's target as sent, e.g. {@code /tunnel?ip=192.168.127.2&port=8080}
     * @param alreadyRead   the bytes the client sent after its request head, the start of the stream toward the
     *                      guest; transferred: callee releases
     * @param description   for logs, e.g. "tunnel unix:///tmp/n.sock"
     * @throws IOException when the socket cannot be taken over (it is closed)
     */
    void adopt(int fd, boolean unixDomain, String requestTarget, ByteBuf alreadyRead, String description)
            throws IOException;
}
