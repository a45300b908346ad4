package io.tapvsock.api;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A listener URL as gvproxy takes it for {@code -listen}, {@code -services} and {@code -listen-qemu}:
 * {@code unix:///path/to/sock} or {@code tcp://host:port} (an empty host listens on every address; port 0 picks a
 * free one).
 *
 * @param url the text it was parsed from, shown in logs and port descriptions
 * @param unixPath the socket file for unix, else null
 * @param tcpAddress the address to bind for tcp, else null
 */
public record ListenAddress(String url, Path unixPath, InetSocketAddress tcpAddress) {

    private static final String UNIX = "unix://";
    private static final String TCP = "tcp://";

    /** @throws IllegalArgumentException quoting the text when it is neither form */
    public static ListenAddress parse(String url) {
        String text = url == null ? "" : url.trim();
        if (text.startsWith(UNIX)) {
            String path = text.substring(UNIX.length());
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("listen: \"" + url + "\" has no absolute socket path (want unix:///path)");
            }
            return new ListenAddress(text, Path.of(path), null);
        }
        if (text.startsWith(TCP)) {
            String hostPort = text.substring(TCP.length());
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("listen: \"" + url + "\" has no port (want tcp://host:port)");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("listen: \"" + url + "\" has a bad port (want tcp://host:port)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("listen: \"" + url + "\" has a port outside 0..65535");
            }
            InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("listen: \"" + url + "\": unknown host " + host);
            }
            return new ListenAddress(text, null, address);
        }
        throw new IllegalArgumentException("listen: \"" + url + "\" is not unix:///path or tcp://host:port");
    }

    public boolean isUnix() {
        return unixPath != null;
    }

    @Override
    public String toString() {
        return url;
    }
}
