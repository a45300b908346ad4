package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;

/**
 * A unix or TCP socket endpoint: {@code unix:///path} and {@code tcp://host:port} (POST /connect, then hyperkit
 * framing), or {@code qemu+unix:///path} and {@code qemu+tcp://host:port} (QEMU framing straight away, vnet mode
 * offered).
 *
 * @param url  the URL as given
 * @param unix the socket path, or null for TCP
 * @param host the TCP host (resolved at each connect), or null
 * @param port the TCP port
 * @param qemu the daemon's qemu transport; else an API endpoint taking POST /connect
 */
record SocketEndpoint(String url, UnixDomainSocketAddress unix, String host, int port, boolean qemu)
        implements Endpoint {

    /** {@code unix:///path} or {@code unix:/path} (Go's URL parser takes both); likewise qemu+unix. */
    static SocketEndpoint parseUnix(String url, boolean qemu) {
        String scheme = qemu ? "qemu+unix" : "unix";
        String path = url.substring(scheme.length() + 1);
        if (path.startsWith("//")) {
            path = path.substring(2);
        }
        if (!path.startsWith("/") || path.length() == 1) {
            throw Endpoint.invalid(url, scheme + " needs an absolute socket path (" + scheme + ":///run/x.sock)");
        }
        return new SocketEndpoint(url, UnixDomainSocketAddress.of(path), null, 0, qemu);
    }

    /** {@code tcp://host:port}, {@code qemu+tcp://host:port}; an IPv6 host in brackets. */
    static SocketEndpoint parseTcp(String url, boolean qemu) {
        String scheme = qemu ? "qemu+tcp" : "tcp";
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw Endpoint.invalid(url, e.getMessage());
        }
        String host = uri.getHost();
        boolean pathless = uri.getRawPath() == null || uri.getRawPath().isEmpty();
        if (host == null || uri.getPort() < 1 || uri.getPort() > 65535 || !pathless || uri.getRawQuery() != null) {
            throw Endpoint.invalid(url, scheme + " needs HOST:PORT and nothing after it (" + scheme
                    + "://127.0.0.1:1234)");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new SocketEndpoint(url, null, host, uri.getPort(), qemu);
    }

    @Override
    public Framing framing() {
        return qemu ? Framing.QEMU : Framing.HYPERKIT;
    }

    @Override
    public boolean offersVnet() {
        return qemu;
    }

    /** Connects (blocking); TCP gets TCP_NODELAY since every write is one whole frame. */
    @Override
    public Connection connect() throws IOException {
        StreamSocket socket = unix != null ? StreamSocket.connectUnix(unix.getPath())
                : StreamSocket.connectTcp(new InetSocketAddress(host, port));
        try {
            if (!qemu) {
                ConnectRequest.send(socket, ConnectRequest.CONNECT_PATH);
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public String toString() {
        return url;
    }
}
