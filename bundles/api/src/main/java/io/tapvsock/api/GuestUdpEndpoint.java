package io.tapvsock.api;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;
import org.osgi.annotation.versioning.ProviderType;

/** One UDP endpoint inside the virtual network (see {@link GuestUdpConnector}). */
@ProviderType
public interface GuestUdpEndpoint extends AutoCloseable {

    /** The address and port guests see. Any thread. */
    InetSocketAddress localAddress();

    /**
     * Sends one datagram from this endpoint to a guest; it goes out at once. Network loop only.
     *
     * @param payload transferred: callee releases
     * @return false when the endpoint is closed or the destination is no guest's (the payload is released)
     */
    boolean send(InetSocketAddress guest, ByteBuf payload);

    /** Stops receiving; later sends return false. Any thread; idempotent. */
    @Override
    void close();
}
