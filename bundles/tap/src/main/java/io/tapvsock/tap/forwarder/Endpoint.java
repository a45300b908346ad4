package io.tapvsock.tap.forwarder;

import java.io.IOException;

/**
 * Where the forwarder connects (its -url), how it gets there, and how the stream carries frames (compat.md §3):
 * <ul>
 * <li>{@code vsock://CID:PORT/connect} (gvforwarder's default {@code vsock://2:1024/connect}): an AF_VSOCK stream;
 * with a path, {@code POST path} first. Hyperkit framing.</li>
 * <li>{@code unix:///path/to.sock}: gvproxy's API endpoint, {@code POST /connect} first. Hyperkit framing.</li>
 * <li>{@code stdio:/path/to/program?k=v&k2=v2}: the program started with {@code -k=v -k2=v2}, frames over its stdin
 * and stdout, started again after it exits. Hyperkit framing.</li>
 * <li>{@code tcp://host:port} (tapvsock only; gvforwarder has no TCP): an API endpoint like unix://.</li>
 * <li>{@code qemu+unix:///path}, {@code qemu+tcp://host:port} (tapvsock only): the daemon's qemu transport, QEMU
 * framing, and the only endpoints where the forwarder offers vnet mode ({@link io.tapvsock.tap.VnetHello}).</li>
 * </ul>
 */
sealed interface Endpoint permits SocketEndpoint, VsockEndpoint, StdioEndpoint {

    String SUPPORTED = "use vsock://CID:PORT[/connect], unix:///PATH, stdio:/PATH/TO/PROGRAM[?FLAG=VALUE&...], "
            + "tcp://HOST:PORT, qemu+unix:///PATH or qemu+tcp://HOST:PORT";

    /** The URL as given. */
    String url();

    /** The length prefix in front of each frame on the stream. */
    Framing framing();

    /** Whether the forwarder may offer vnet mode here: only the daemon's qemu transport answers it. */
    default boolean offersVnet() {
        return false;
    }

    /**
     * Opens a new connection, ready for frames (the POST /connect head already written where there is one).
     *
     * @return transferred: the caller closes it
     */
    Connection connect() throws IOException;

    /** @throws IllegalArgumentException naming the flag, the URL and what is wrong with it */
    static Endpoint parse(String url) {
        int colon = url.indexOf(':');
        String scheme = colon > 0 ? url.substring(0, colon) : "";
        return switch (scheme) {
            case "qemu+unix", "unix" -> SocketEndpoint.parseUnix(url, scheme.equals("qemu+unix"));
            case "qemu+tcp", "tcp" -> SocketEndpoint.parseTcp(url, scheme.equals("qemu+tcp"));
            case "vsock" -> VsockEndpoint.parse(url);
            case "stdio" -> StdioEndpoint.parse(url);
            default -> throw invalid(url, "unsupported scheme; " + SUPPORTED);
        };
    }

    /** Go's message for a bad flag value, with the reason. */
    static IllegalArgumentException invalid(String url, String why) {
        return new IllegalArgumentException("invalid value \"" + url + "\" for flag -url: " + why);
    }
}
