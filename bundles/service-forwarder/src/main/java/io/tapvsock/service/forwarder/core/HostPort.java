package io.tapvsock.service.forwarder.core;

/**
 * "host:port" split as Go's net.SplitHostPort does it, with its error texts (gvproxy answers them with 400): the
 * host may be empty (":8080") or bracketed ("[::1]:8080"); the port is not checked here.
 */
public record HostPort(String host, String port) {

    /** @throws IllegalArgumentException with Go's message, e.g. "address x: missing port in address" */
    public static HostPort split(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw error(address, "missing port in address");
        }
        String host;
        if (address.startsWith("[")) {
            int end = address.indexOf(']');
            if (end < 0) {
                throw error(address, "missing ']' in address");
            }
            if (end + 1 == address.length()) {
                throw error(address, "missing port in address");
            }
            if (end + 1 != colon) {
                throw error(address, address.charAt(end + 1) == ':' ? "too many colons in address"
                        : "missing port in address");
            }
            host = address.substring(1, end);
        } else {
            host = address.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw error(address, "too many colons in address");
            }
        }
        String hostPart = address.startsWith("[") ? address.substring(1) : address.substring(0, colon);
        if (!address.startsWith("[") && (hostPart.indexOf('[') >= 0 || hostPart.indexOf(']') >= 0)) {
            throw error(address, "unexpected '" + (hostPart.indexOf('[') >= 0 ? '[' : ']') + "' in address");
        }
        return new HostPort(host, address.substring(colon + 1));
    }

    /** The port as a number, 0..65535. */
    public int portNumber(String what) {
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException(what + ": invalid port \"" + port + "\"");
        }
        return Integer.parseInt(port);
    }

    private static IllegalArgumentException error(String address, String reason) {
        return new IllegalArgumentException("address " + address + ": " + reason);
    }
}
