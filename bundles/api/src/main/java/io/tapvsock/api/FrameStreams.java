package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes over connected stream sockets whose client asked for a frame stream: gvproxy's {@code POST /connect} on
 * an API endpoint (compat.md section 3). The API endpoint reads the request head, writes no response, and hands
 * the socket itself to the transport that registers this service, which makes it a switch port with its framing
 * (hyperkit: 2-byte little-endian length + frame).
 */
@ConsumerType
public interface FrameStreams {

    /**
     * Makes the socket a switch port. Any thread.
     *
     * @param fd          a connected, non-blocking stream socket; ownership passes: the callee closes it, also
     *                    when this throws
     * @param unixDomain  AF_UNIX (else AF_INET/AF_INET6)
     * @param alreadyRead the bytes the client sent after its request head, the start of the frame stream;
     *                    transferred: callee releases
     * @param description for logs and /cam, e.g. "connect unix:///tmp/n.sock"
     * @throws IOException when the socket cannot be taken over (it is closed)
     */
    void adopt(int fd, boolean unixDomain, ByteBuf alreadyRead, String description) throws IOException;
}
