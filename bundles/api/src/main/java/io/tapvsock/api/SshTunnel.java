package io.tapvsock.api;

import org.osgi.annotation.versioning.ProviderType;

/** One open tunnel of {@link SshTunnels}: its host socket, its SSH session (once made) and their connections. */
@ProviderType
public interface SshTunnel extends AutoCloseable {

    /**
     * Stops listening (the socket file goes), closes the session and with it every connection over it.
     * Idempotent; not on an event loop.
     */
    @Override
    void close();
}
