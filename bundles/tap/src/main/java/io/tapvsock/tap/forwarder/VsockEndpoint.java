package io.tapvsock.tap.forwarder;

import java.io.IOException;

/**
 * {@code vsock://CID:PORT[/path]}: an AF_VSOCK stream to the host (CID 2 is the hypervisor's host), hyperkit
 * framing. As gvforwarder does, a path is sent as {@code POST path} first ({@code /connect} on gvproxy's vsock
 * listener); without one the frames start at once.
 *
 * @param url      the URL as given
 * @param cid      the context ID, 0..2^32-1
 * @param port     the port, 0..2^32-1
 * @param postPath the request target for POST, or null
 */
record VsockEndpoint(String url, long cid, long port, String postPath) implements Endpoint {

    private static final String PREFIX = "vsock://";
    private static final long MAX_U32 = 0xFFFF_FFFFL;

    static VsockEndpoint parse(String url) {
        if (!url.startsWith(PREFIX)) {
            throw Endpoint.invalid(url, "vsock needs CID:PORT (vsock://2:1024/connect)");
        }
        String rest = url.substring(PREFIX.length());
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query); // Go's URL parser keeps it apart, and gvforwarder ignores it
        }
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        String path = slash >= 0 ? rest.substring(slash) : "";
        int colon = authority.lastIndexOf(':');
        if (colon < 0) {
            throw Endpoint.invalid(url, "vsock needs CID:PORT (vsock://2:1024/connect)");
        }
        long cid = parseU32(url, authority.substring(0, colon), "context ID");
        long port = parseU32(url, authority.substring(colon + 1), "port");
        if (!path.isEmpty() && !isRequestPath(path)) {
            throw Endpoint.invalid(url, "the path is not a usable HTTP request target");
        }
        return new VsockEndpoint(url, cid, port, path.isEmpty() ? null : path);
    }

    private static long parseU32(String url, String text, String what) {
        if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw Endpoint.invalid(url, "the vsock " + what + " \"" + text + "\" is not a number");
        }
        long value = Long.parseLong(text);
        if (value > MAX_U32) {
            throw Endpoint.invalid(url, "the vsock " + what + " " + value + " is out of range");
        }
        return value;
    }

    /** RFC 3986 path characters only (pchar and '/'), so it goes on the request line as it is. */
    private static boolean isRequestPath(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            boolean allowed = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || "-._~!$&'()*+,;=:@/%".indexOf(c) >= 0;
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Framing framing() {
        return Framing.HYPERKIT;
    }

    @Override
    public Connection connect() throws IOException {
        StreamSocket socket = StreamSocket.connectVsock(cid, port);
        try {
            if (postPath != null) {
                ConnectRequest.send(socket, postPath);
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
