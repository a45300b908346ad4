package io.tapvsock.tap.forwarder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code stdio:/path/to/program?k=v&k2=v2}: gvforwarder starts the program with one {@code -k=v} argument per
 * query parameter (in the order given here; Go's map order is random) and exchanges hyperkit-framed frames over
 * its stdin and stdout, with no request head. When the program exits, the relay starts it again a second later.
 * Path and query are percent-decoded as Go's URL parser does ('+' is a space in the query only).
 *
 * @param url     the URL as given
 * @param command the program's absolute path, then its arguments
 */
record StdioEndpoint(String url, List<String> command) implements Endpoint {

    private static final String PREFIX = "stdio:";

    StdioEndpoint {
        command = List.copyOf(command);
    }

    static StdioEndpoint parse(String url) {
        String rest = url.substring(PREFIX.length());
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
        }
        int question = rest.indexOf('?');
        String rawPath = question >= 0 ? rest.substring(0, question) : rest;
        String rawQuery = question >= 0 ? rest.substring(question + 1) : "";
        if (rawPath.startsWith("//")) { // stdio:///usr/bin/x: an empty authority, or a host Go would ignore
            int slash = rawPath.indexOf('/', 2);
            rawPath = slash >= 0 ? rawPath.substring(slash) : "";
        }
        if (!rawPath.startsWith("/") || rawPath.length() == 1) {
            throw Endpoint.invalid(url, "stdio needs the program's absolute path (stdio:/usr/bin/prog?flag=value)");
        }
        List<String> command = new ArrayList<>();
        try {
            command.add(decode(rawPath, false));
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                if (pair.indexOf(';') >= 0) {
                    throw new IllegalArgumentException("a ';' in the query (separate parameters with '&')");
                }
                int equals = pair.indexOf('=');
                String key = decode(equals >= 0 ? pair.substring(0, equals) : pair, true);
                String value = equals >= 0 ? decode(pair.substring(equals + 1), true) : "";
                command.add("-" + key + "=" + value);
            }
        } catch (IllegalArgumentException e) {
            throw Endpoint.invalid(url, e.getMessage());
        }
        return new StdioEndpoint(url, command);
    }

    /** Percent-decoding to UTF-8; with plusIsSpace, '+' is a space (query), else itself (path). */
    static String decode(String text, boolean plusIsSpace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%') {
                if (i + 2 >= text.length() || Character.digit(text.charAt(i + 1), 16) < 0
                        || Character.digit(text.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("invalid URL escape \""
                            + text.substring(i, Math.min(i + 3, text.length())) + "\"");
                }
                bytes.write(Character.digit(text.charAt(i + 1), 16) << 4 | Character.digit(text.charAt(i + 2), 16));
                i += 2;
            } else if (c == '+' && plusIsSpace) {
                bytes.write(' ');
            } else {
                int codePoint = text.codePointAt(i);
                byte[] encoded = Character.toString(codePoint).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
                i += Character.charCount(codePoint) - 1;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public Framing framing() {
        return Framing.HYPERKIT;
    }

    /** Starts the program. */
    @Override
    public Connection connect() throws IOException {
        return ProcessConnection.start(command);
    }

    @Override
    public String toString() {
        return url;
    }
}
