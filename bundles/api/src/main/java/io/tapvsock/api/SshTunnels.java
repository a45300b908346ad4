package io.tapvsock.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Host unix sockets whose connections are carried over SSH to a unix socket inside a guest, as gvproxy's unix
 * expose with an {@code ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile} remote does (compat.md section 4):
 * an SSH session to the guest's sshd, reached through the virtual network, and one
 * {@code direct-streamlocal@openssh.com} channel per connection. Published by the service-sshforward bundle, which
 * makes the host socket itself; the forwarder binds it optionally.
 */
@ProviderType
public interface SshTunnels {

    /**
     * Listens at {@code local} (mode 0600; a stale socket file there is replaced, any other file is refused). The
     * SSH session is made when the first connection comes (as gvproxy), then kept up (reconnected when it drops)
     * until the tunnel is closed. Not on an event loop (the key file is read, the bind awaited).
     *
     * @param local       the host socket path, absolute
     * @param user        the SSH login name
     * @param sshd        the guest's sshd: an address in the virtual network and its port
     * @param identity    a private key file without passphrase (OpenSSH or PEM: ed25519, ecdsa, rsa)
     * @param guestSocket the unix socket path inside the guest
     * @throws IOException              naming the key file when it cannot be read as a private key, or the socket
     *                                  when it cannot listen there
     * @throws IllegalArgumentException naming what is missing or wrong (an empty user, a relative socket path...)
     */
    SshTunnel open(Path local, String user, InetSocketAddress sshd, Path identity, String guestSocket)
            throws IOException;
}
