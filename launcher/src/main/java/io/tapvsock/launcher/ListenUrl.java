package io.tapvsock.launcher;

import io.tapvsock.api.ListenAddress;
import java.nio.file.Path;

/**
 * A listener address given on the command line: {@code unix:///absolute/path} or {@code tcp://host:port}, the
 * two forms the http and qemu bundles serve. Parsed here with the bundles' own {@link ListenAddress} so that a
 * typo exits with status 2 and names the flag instead of surfacing later as a component that failed to activate.
 *
 * @param text the URL exactly as given; this is what goes into the configuration
 * @param socketPath the socket file of a unix URL, else null
 */
record ListenUrl(String text, Path socketPath) {

    static ListenUrl parse(String flag, String text) throws FlagException {
        int schemeEnd = text.indexOf("://");
        String scheme = schemeEnd < 0 ? "" : text.substring(0, schemeEnd);
        if (scheme.equals("vsock") && flag.equals("listen")) {
            return parseVsock(flag, text);
        }
        if (scheme.equals("vsock") || scheme.equals("unixgram") || scheme.equals("unixpacket")) {
            throw FlagException.invalid("-" + flag + " " + text + ": " + scheme + ":// endpoints are not supported yet");
        }
        try {
            return new ListenUrl(text, ListenAddress.parse(text).unixPath());
        } catch (IllegalArgumentException e) {
            // ListenAddress names its configuration field ("listen: ..."); here the flag is the field.
            String reason = e.getMessage().replaceFirst("^listen: ", "");
            throw FlagException.invalid("-" + flag + " " + reason);
        }
    }

    /** True for a {@code vsock://} endpoint (served by the vsock transport, not the http bundle). */
    boolean isVsock() {
        return text.startsWith("vsock://");
    }

    /** {@code vsock://:PORT} or {@code vsock://CID:PORT} (a path such as /connect is ignored, as gvproxy does). */
    static ListenUrl parseVsock(String flag, String text) throws FlagException {
        String rest = text.substring("vsock://".length());
        int slash = rest.indexOf('/');
        String hostPort = slash < 0 ? rest : rest.substring(0, slash);
        if (!hostPort.matches("[0-9]*:[0-9]+")) {
            throw FlagException.invalid("-" + flag + " \"" + text + "\" is not vsock://:PORT or vsock://CID:PORT");
        }
        return new ListenUrl(text, null);
    }

    /** {@code unix:///absolute/path} and nothing else (-notification: a stream socket someone else listens on). */
    static ListenUrl parseUnix(String flag, String text) throws FlagException {
        return unixScheme(flag, text, "unix");
    }

    /** {@code unixgram:///absolute/path}, the one form {@code -listen-vfkit} takes (a SOCK_DGRAM socket). */
    static ListenUrl parseUnixgram(String flag, String text) throws FlagException {
        return unixScheme(flag, text, "unixgram");
    }

    /** {@code unixpacket:///absolute/path}, the one form {@code -listen-bess} takes (a SOCK_SEQPACKET socket). */
    static ListenUrl parseUnixpacket(String flag, String text) throws FlagException {
        return unixScheme(flag, text, "unixpacket");
    }

    /** {@code SCHEME:///absolute/path}; the error names the flag and the form it wants. */
    private static ListenUrl unixScheme(String flag, String text, String scheme) throws FlagException {
        String prefix = scheme + "://";
        if (!text.startsWith(prefix)) {
            throw FlagException.invalid("-" + flag + " \"" + text + "\" is not " + scheme + ":///path");
        }
        String path = text.substring(prefix.length());
        if (!path.startsWith("/") || path.length() < 2) {
            throw FlagException.invalid("-" + flag + " \"" + text + "\" has no absolute socket path"
                    + " (want " + scheme + ":///path)");
        }
        return new ListenUrl(text, Path.of(path));
    }
}
