package io.tapvsock.api;

import io.netty.channel.Channel;
import org.osgi.annotation.versioning.ProviderType;

/** One tunnel of {@link SshTunnels}: its SSH session (once made) and every connection relayed over it. */
@ProviderType
public interface SshTunnel extends AutoCloseable {

    /**
     * Relays a host connection to the guest's socket over a new channel of the tunnel's session, both ways with
     * backpressure and half-close. Any thread. The channel must be active with auto-read off; it is read once the
     * SSH channel is open, and closed when the guest refuses it, when no session comes within a while, or when
     * the tunnel closes.
     */
    void relay(Channel host);

    /** Closes the session and with it every relayed connection. Idempotent; not on the network loop. */
    @Override
    void close();
}
