package io.tapvsock.service.forwarder.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Listeners that only record what was opened and closed; locals in {@link #taken} fail as a bind would. */
final class FakeListeners implements ListenerFactory {

    final List<String> opened = new ArrayList<>();
    final List<String> closed = new ArrayList<>();
    final Set<String> taken = new HashSet<>();

    @Override
    public Listener open(ForwardProtocol protocol, Forward forward, InetSocketAddress guest) throws ForwardException {
        if (taken.contains(forward.local())) {
            throw new ForwardException("listen " + protocol.text() + " " + forward.local()
                    + ": bind: address already in use");
        }
        String description = protocol.text() + " " + forward.local() + " " + guest.getAddress().getHostAddress() + ":"
                + guest.getPort();
        return record(description);
    }

    @Override
    public Listener openSshTunnel(ForwardProtocol protocol, Forward forward, SshTunnelUrl tunnel)
            throws ForwardException {
        return record(protocol.text() + " " + forward.local() + " " + tunnel.user() + "@"
                + tunnel.sshd().getAddress().getHostAddress() + ":" + tunnel.sshd().getPort() + tunnel.socket()
                + " key " + tunnel.key());
    }

    private Listener record(String description) {
        opened.add(description);
        return () -> closed.add(description);
    }
}
