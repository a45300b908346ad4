package io.tapvsock.service.sshforward.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One forward, as a factory configuration of {@value #FACTORY_PID} (one per gvproxy -forward-* quadruple, or a
 * {@code config/io.tapvsock.service.sshforward-NAME.cfg} file). Construction validates; errors name the key.
 *
 * @param socket   the host unix socket to listen on ({@code /path} or {@code unix:///path})
 * @param dest     the socket path inside the guest
 * @param user     the SSH user
 * @param identity the private key file, which must exist
 */
public record SshForwardConfig(Path socket, String dest, String user, Path identity) {

    public static final String FACTORY_PID = "io.tapvsock.service.sshforward";
    public static final String SOCKET = "socket";
    public static final String DEST = "dest";
    public static final String USER = "user";
    public static final String IDENTITY = "identity";

    public SshForwardConfig {
        require(socket != null && !socket.toString().isEmpty(), SOCKET, "missing");
        require(socket.isAbsolute(), SOCKET, socket + " is not an absolute path");
        require(dest != null && !dest.isEmpty(), DEST, "missing");
        require(user != null && !user.isEmpty(), USER, "missing");
        require(identity != null && !identity.toString().isEmpty(), IDENTITY, "missing");
        require(Files.isRegularFile(identity), IDENTITY, identity + ": no such file");
    }

    /** @throws IllegalArgumentException naming the key that is missing or wrong */
    public static SshForwardConfig fromProperties(Map<String, ?> properties) {
        return new SshForwardConfig(socketPath(text(properties, SOCKET)), text(properties, DEST),
                text(properties, USER), pathOrNull(text(properties, IDENTITY)));
    }

    /** gvproxy takes a plain path or a unix:// URL for -forward-sock. */
    public static Path socketPath(String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        String path = value;
        if (value.contains("://")) {
            require(value.startsWith("unix://"), SOCKET, value + ": only unix:// sockets are supported");
            path = value.substring("unix://".length());
        }
        require(!path.isEmpty(), SOCKET, value + ": no path");
        return Path.of(path);
    }

    private static Path pathOrNull(String value) {
        return value == null || value.isEmpty() ? null : Path.of(value);
    }

    private static String text(Map<String, ?> properties, String key) {
        Object value = properties.get(key);
        return value == null ? null : String.valueOf(value).trim();
    }

    private static void require(boolean condition, String key, String reason) {
        if (!condition) {
            throw new IllegalArgumentException(key + ": " + reason);
        }
    }
}
