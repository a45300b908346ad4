package io.tapvsock.tap.forwarder;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * Where the forwarder connects, and how the stream carries frames (compat.md §3):
 * <ul>
 * <li>{@code qemu+unix:///path/to.sock}, {@code qemu+tcp://host:port}: the daemon's qemu transport, each Ethernet
 * frame behind a 4-byte big-endian length (QEMU's {@code -netdev stream}), with tapvsock's vnet-mode offer.</li>
 * <li>{@code unix:///path/to.sock}: gvforwarder's form, an API endpoint: {@code POST /connect} with an empty Host
 * header, no response, then each frame behind a 2-byte little-endian length (hyperkit framing).</li>
 * </ul>
 * gvforwarder's {@code vsock://CID:PORT/connect} and {@code stdio:} are refused here.
 *
 * @param url       the URL as given
 * @param unix      the socket path for qemu+unix and unix, else null
 * @param host      host for qemu+tcp (resolved at each connect), else null
 * @param port      port for qemu+tcp
 * @param postConnect POST /connect first, then hyperkit framing (unix://); else QEMU framing
 */
record QemuEndpoint(String url, UnixDomainSocketAddress unix, String host, int port, boolean postConnect) {

    private static final String UNIX_PREFIX = "qemu+unix://";
    private static final String TCP_PREFIX = "qemu+tcp://";
    private static final String CONNECT_PREFIX = "unix://";
    private static final String SUPPORTED = "use qemu+unix:///PATH, qemu+tcp://HOST:PORT or unix:///PATH";
    /** gvforwarder's request, byte for byte. */
    static final String CONNECT_REQUEST = "POST /connect HTTP/1.1\r\nHost: \r\nContent-Length: 0\r\n\r\n";

    /** The length prefix in front of each frame on this stream: 4 (QEMU, big-endian) or 2 (hyperkit, little-endian). */
    int prefixLength() {
        return postConnect ? 2 : 4;
    }

    /** @throws IllegalArgumentException naming the URL and the forms that work */
    static QemuEndpoint parse(String url) {
        if (url.startsWith(UNIX_PREFIX)) {
            String path = url.substring(UNIX_PREFIX.length());
            if (!path.startsWith("/") || path.length() == 1) {
                throw invalid(url, "qemu+unix needs an absolute socket path (qemu+unix:///run/x.sock)");
            }
            return new QemuEndpoint(url, UnixDomainSocketAddress.of(path), null, 0, false);
        }
        if (url.startsWith(CONNECT_PREFIX)) {
            String path = url.substring(CONNECT_PREFIX.length());
            if (!path.startsWith("/") || path.length() == 1) {
                throw invalid(url, "unix needs an absolute socket path (unix:///run/api.sock)");
            }
            return new QemuEndpoint(url, UnixDomainSocketAddress.of(path), null, 0, true);
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
            return new QemuEndpoint(url, null, host, uri.getPort(), false);
        }
        if (url.startsWith("vsock:") || url.startsWith("stdio:")) {
            throw invalid(url, "gvforwarder's vsock:// and stdio: connections are not supported yet; " + SUPPORTED);
        }
        throw invalid(url, "unsupported scheme; " + SUPPORTED);
    }

    private static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("invalid value \"" + url + "\" for flag -url: " + why);
    }

    /**
     * Opens a blocking connection; TCP gets TCP_NODELAY since every write is one whole frame. For unix:// the
     * POST /connect request goes first (the daemon answers nothing: the frame stream starts at once).
     */
    SocketChannel connect() throws IOException {
        SocketAddress address = unix != null ? unix : new InetSocketAddress(host, port);
        SocketChannel channel = SocketChannel.open(address);
        try {
            if (unix == null) {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            if (postConnect) {
                ByteBuffer request = ByteBuffer.wrap(CONNECT_REQUEST.getBytes(StandardCharsets.US_ASCII));
                while (request.hasRemaining()) {
                    channel.write(request);
                }
            }
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    @Override
    public String toString() {
        return url;
    }
}
