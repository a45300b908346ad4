package io.tapvsock.transport.bess;

import java.nio.file.Path;

/**
 * Where the bess transport listens, as gvproxy's {@code -listen-bess} takes it: {@code unixpacket:///path/to/sock}.
 *
 * @param url  the text it was parsed from, shown in logs and port descriptions
 * @param path the socket file
 */
public record BessAddress(String url, Path path) {

    public static final String SCHEME = "unixpacket://";

    /** @throws IllegalArgumentException quoting the text when it is not unixpacket:///absolute/path */
    public static BessAddress parse(String url) {
        String text = url == null ? "" : url.trim();
        if (!text.startsWith(SCHEME)) {
            throw new IllegalArgumentException("listen: \"" + url + "\" is not unixpacket:///path");
        }
        String path = text.substring(SCHEME.length());
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("listen: \"" + url + "\" has no absolute socket path"
                    + " (want unixpacket:///path)");
        }
        return new BessAddress(text, Path.of(path));
    }

    @Override
    public String toString() {
        return url;
    }
}
