package io.tapvsock.service.forwarder.core;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A unix forward's {@code ssh-tunnel://user@IP[:22]/path/to/sock?key=/keyfile} remote (compat.md section 4):
 * log in to the guest's sshd at IP:port as user with the private key file, and carry each connection to the
 * guest's socket at path. Checked when the forward is exposed, so a bad remote is refused with its reason
 * (gvproxy's words where it has them) rather than failing each connection later.
 *
 * @param user   the SSH login name
 * @param sshd   the guest's IPv4 address and SSH port (22 when not given)
 * @param socket the socket path inside the guest
 * @param key    the private key file on the host, an absolute path
 */
public record SshTunnelUrl(String user, InetSocketAddress sshd, String socket, Path key) {

    public static final String SCHEME = "ssh-tunnel";
    static final int DEFAULT_PORT = 22;
    private static final String SHAPE = SCHEME + "://user@IP[:22]/path/to/sock?key=/keyfile";

    /** Does this remote ask for an SSH tunnel (and so go to {@link #parse}, not {@link GuestTarget})? */
    public static boolean isSshTunnel(String remote) {
        return remote.startsWith(SCHEME + ":");
    }

    /** @throws ForwardException naming what is wrong, with the text the API answers (500) */
    public static SshTunnelUrl parse(String remote) throws ForwardException {
        URI uri = GuestTarget.uri(remote);
        if (!SCHEME.equals(uri.getScheme()) || uri.getRawAuthority() == null) {
            throw new ForwardException("remote " + remote + " is not " + SHAPE);
        }
        String authority = uri.getRawAuthority();
        int at = authority.lastIndexOf('@');
        String user = at < 0 ? "" : decode(authority.substring(0, at));
        if (user.isEmpty()) {
            throw new ForwardException("remote uri must name the SSH user: " + SHAPE);
        }
        if (user.indexOf(':') >= 0) {
            throw new ForwardException("remote uri: SSH password authentication is not supported, give key=");
        }
        InetSocketAddress sshd = sshd(authority.substring(at + 1));
        String socket = uri.getPath();
        if (socket == null || socket.isEmpty() || socket.equals("/")) {
            throw new ForwardException("remote uri must contain a path to a socket file");
        }
        String key = "";
        String rawQuery = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        for (String parameter : rawQuery.split("&")) {
            int equals = parameter.indexOf('=');
            String name = decode(equals < 0 ? parameter : parameter.substring(0, equals));
            String value = equals < 0 ? "" : decode(parameter.substring(equals + 1));
            if (name.equals("key") && key.isEmpty()) {
                key = value; // the first one, as Go's url.Values.Get
            } else if (name.equals("passphrase") && !value.isEmpty()) {
                throw new ForwardException("remote uri: keys with a passphrase are not supported");
            }
        }
        if (key.isEmpty()) {
            throw new ForwardException("key not provided for unix-ssh connection");
        }
        Path keyPath = Path.of(key);
        if (!keyPath.isAbsolute()) {
            throw new ForwardException("remote uri: key " + key + " is not an absolute path");
        }
        return new SshTunnelUrl(user, sshd, socket, keyPath);
    }

    /** "IP" or "IP:PORT": an IPv4 address in the virtual network, a port 1..65535 (22 when not given). */
    private static InetSocketAddress sshd(String hostPort) throws ForwardException {
        return GuestTarget.address(hostPort.indexOf(':') >= 0 ? hostPort : hostPort + ":" + DEFAULT_PORT);
    }

    private static String decode(String text) throws ForwardException {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ForwardException("remote uri: bad escape in " + text);
        }
    }
}
