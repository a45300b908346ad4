package io.tapvsock.launcher;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * A listener address given on the command line: {@code unix:///absolute/path} or {@code tcp://host:port}, the
 * two forms the http and qemu bundles serve. Checked here so that a typo exits with status 2 and names the flag
 * instead of surfacing later as a component that failed to activate.
 *
 * @param text the URL exactly as given; this is what goes into the configuration
 * @param socketPath the socket file of a unix URL, else null
 */
record ListenUrl(String text, Path socketPath) {

    static ListenUrl parse(String flag, String text) throws FlagException {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw FlagException.invalid("-" + flag + " " + text + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        switch (scheme) {
            case "unix" -> {
                if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getRawAuthority() != null) {
                    throw FlagException.invalid("-" + flag + " " + text
                            + ": a unix socket URL needs an absolute path, as in unix:///tmp/network.sock");
                }
                return new ListenUrl(text, Path.of(uri.getPath()));
            }
            case "tcp" -> {
                if (uri.getHost() == null || uri.getPort() < 1 || uri.getPort() > 65535
                        || !(uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"))) {
                    throw FlagException.invalid("-" + flag + " " + text
                            + ": a tcp URL needs a host and a port 1..65535, as in tcp://127.0.0.1:7777");
                }
                return new ListenUrl(text, null);
            }
            case "vsock", "unixgram", "unixpacket" -> throw FlagException.invalid(
                    "-" + flag + " " + text + ": " + scheme + ":// endpoints are not supported yet");
            default -> throw FlagException.invalid("-" + flag + " " + text
                    + ": unsupported URL scheme (use unix:///path or tcp://host:port)");
        }
    }
}
