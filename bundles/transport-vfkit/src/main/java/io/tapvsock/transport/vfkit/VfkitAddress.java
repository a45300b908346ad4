package io.tapvsock.transport.vfkit;

import java.nio.file.Path;

/** A {@code unixgram:///path} URL, gvproxy's form for the vfkit socket. */
record VfkitAddress(String url, Path path) {

    private static final String SCHEME = "unixgram://";

    /** @throws IllegalArgumentException naming the URL and what is wrong with it */
    static VfkitAddress parse(String url) {
        if (url == null || !url.startsWith(SCHEME)) {
            throw new IllegalArgumentException("\"" + url + "\" is not a unixgram:///path URL");
        }
        String path = url.substring(SCHEME.length());
        if (!path.startsWith("/") || path.length() < 2) {
            throw new IllegalArgumentException("\"" + url + "\" needs an absolute socket path, unixgram:///path");
        }
        if (path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length >= 108) {
            throw new IllegalArgumentException("\"" + url + "\": a unix socket path must be shorter than 108 bytes");
        }
        return new VfkitAddress(url, Path.of(path));
    }

    @Override
    public String toString() {
        return url;
    }
}
