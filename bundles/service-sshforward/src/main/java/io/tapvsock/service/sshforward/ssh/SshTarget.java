package io.tapvsock.service.sshforward.ssh;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an SSH session goes: a guest's sshd, the user to log in as and the private key file to log in with
 * (public-key authentication only, as gvproxy's forwards).
 *
 * @param address  the guest's address and SSH port, inside the virtual network
 * @param user     the login name
 * @param identity an OpenSSH or PEM private key without passphrase (ed25519, ecdsa, rsa)
 */
public record SshTarget(InetSocketAddress address, String user, Path identity) {

    public SshTarget {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(identity, "identity");
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("no SSH user");
        }
    }

    @Override
    public String toString() {
        return user + "@" + address.getHostString() + ":" + address.getPort();
    }
}
