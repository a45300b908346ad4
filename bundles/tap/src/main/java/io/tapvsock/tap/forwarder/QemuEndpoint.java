package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;

/**
 * The daemon's qemu transport as the forwarder dials it: a stream socket carrying each Ethernet frame behind a
 * 4-byte big-endian length (compat.md §3, the framing of QEMU's {@code -netdev stream}).
 *
 * <p>URL forms: {@code qemu+unix:///path/to.sock} and {@code qemu+tcp://host:port}. gvforwarder's own forms
 * ({@code vsock://CID:PORT/connect}, {@code unix:///path} with POST /connect, {@code stdio:}) are refused here.
 *
 * @param url     the URL as given
 * @param unix    the socket path for qemu+unix, else null
 * @param host    host for qemu+tcp (resolved at each connect), else null
 * @param port    port for qemu+tcp
 */
record QemuEndpoint(String url, UnixDomainSocketAddress unix, String host, int port) {

    private static final String UNIX_PREFIX = "qemu+unix://";
    private static final String TCP_PREFIX = "qemu+tcp://";
    private static final String SUPPORTED = "use qemu+unix:///PATH or qemu+tcp://HOST:PORT";

    /** @throws IllegalArgumentException naming the URL and the forms that work */
    static QemuEndpoint parse(String url) {
        if (url.startsWith(UNIX_PREFIX)) {
            String path = url.substring(UNIX_PREFIX.length());
            if (!path.startsWith("/") || path.length() == 1) {
                throw invalid(url, "qemu+unix needs an absolute socket path (qemu+unix:///run/x.sock)");
            }
            return new QemuEndpoint(url, UnixDomainSocketAddress.of(path), null, 0);
        }
        if (url.startsWith(TCP_PREFIX)) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw invalid(url, e.getMessage());
            }
            String host = uri.getHost();
            boolean pathless = uri.getPath() == null || uri.getPath().isEmpty();
            if (host == null || uri.getPort() < 1 || uri.getPort() > 65535 || !pathless) {
                throw invalid(url, "qemu+tcp needs HOST:PORT and nothing after it (qemu+tcp://127.0.0.1:1234)");
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new QemuEndpoint(url, null, host, uri.getPort());
        }
        if (url.startsWith("vsock:") || url.startsWith("unix:") || url.startsWith("stdio:")) {
            throw invalid(url, "gvforwarder's vsock://, unix:// (POST /connect) and stdio: connections are not "
                    + "supported yet; " + SUPPORTED);
        }
        throw invalid(url, "unsupported scheme; " + SUPPORTED);
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("invalid value \"" + url + "\" for flag -url: " + why);
    }

    /** Opens a blocking connection; TCP gets TCP_NODELAY since every write is one whole frame. */
    SocketChannel connect() throws IOException {
        SocketAddress address = unix != null ? unix : new InetSocketAddress(host, port);
        SocketChannel channel = SocketChannel.open(address);
        if (unix == null) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        return channel;
    }

    @Override
    public String toString() {
        return url;
    }
}
