package io.tapvsock.service.forwarder.core;

import java.net.InetSocketAddress;

/** Opens the host side of forwards; the Netty implementation lives in the relay package. */
public interface ListenerFactory {

    /**
     * Starts listening for {@code forward}. Not on the network loop: it waits for the bind.
     *
     * @param guest where the connections go
     * @throws ForwardException with the API's text, e.g. "listen tcp 127.0.0.1:9090: bind: address already in use"
     */
    Listener open(ForwardProtocol protocol, Forward forward, InetSocketAddress guest) throws ForwardException;

    /**
     * Starts listening for a unix (or npipe) {@code forward} whose connections go over SSH to a guest's socket;
     * closing the listener also closes the tunnel's session. Not on the network loop.
     *
     * @throws ForwardException with the API's text: the bind's, or why the tunnel cannot be made (no SSH
     *                          bundle, an unreadable key)
     */
    Listener openSshTunnel(ForwardProtocol protocol, Forward forward, SshTunnelUrl tunnel) throws ForwardException;
}
