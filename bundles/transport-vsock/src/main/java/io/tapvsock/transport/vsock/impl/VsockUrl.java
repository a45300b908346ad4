package io.tapvsock.transport.vsock.impl;

/**
 * gvproxy's AF_VSOCK listen URLs: {@code vsock://:PORT} (any context ID) and {@code vsock://CID:PORT}.
 *
 * @param cid  the context ID to bind, -1 (VMADDR_CID_ANY) for any
 * @param port the port, 0..2^32-2
 */
record VsockUrl(String url, int cid, int port) {

    static final int CID_ANY = -1;
    private static final String SCHEME = "vsock://";

    /** @throws IllegalArgumentException naming the URL and the form that works */
    static VsockUrl parse(String url) {
        if (url == null || !url.startsWith(SCHEME)) {
            throw invalid(url);
        }
        String rest = url.substring(SCHEME.length());
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash); // gvproxy ignores a path such as /connect
        }
        int colon = rest.indexOf(':');
        if (colon < 0) {
            throw invalid(url);
        }
        try {
            String cid = rest.substring(0, colon);
            long port = Long.parseLong(rest.substring(colon + 1));
            if (port < 0 || port > 0xFFFF_FFFEL) {
                throw invalid(url);
            }
            long parsedCid = cid.isEmpty() ? CID_ANY : Long.parseLong(cid);
            if (parsedCid < -1 || parsedCid > 0xFFFF_FFFFL) {
                throw invalid(url);
            }
            return new VsockUrl(url, (int) parsedCid, (int) port);
        } catch (NumberFormatException e) {
            throw invalid(url);
        }
    }

    private static IllegalArgumentException invalid(String url) {
        return new IllegalArgumentException("\"" + url + "\" is not vsock://:PORT or vsock://CID:PORT");
    }

    @Override
    public String toString() {
        return url;
    }
}
