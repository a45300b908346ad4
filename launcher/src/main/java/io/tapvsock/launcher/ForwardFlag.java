package io.tapvsock.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One -forward-sock/-forward-dest/-forward-user/-forward-identity quadruple (the flags are repeatable and matched
 * by position, as gvproxy's): the properties of one factory configuration of
 * {@value Configurations#SSH_FORWARD_PID}.
 *
 * @param socket   the host unix socket, as given ({@code /path} or {@code unix:///path})
 * @param dest     the socket path in the guest
 * @param user     the SSH user
 * @param identity the private key file (checked to exist, as gvproxy does)
 */
record ForwardFlag(String socket, String dest, String user, String identity) {

    /** Pairs the four lists by position; a count mismatch or a missing identity file names the flag. */
    static List<ForwardFlag> parse(List<String> sockets, List<String> dests, List<String> users,
            List<String> identities) throws FlagException {
        int count = sockets.size();
        if (dests.size() != count || users.size() != count || identities.size() != count) {
            throw FlagException.invalid("-forward-sock, -forward-dest, -forward-user and -forward-identity must be "
                    + "given the same number of times (got " + count + " -forward-sock, " + dests.size()
                    + " -forward-dest, " + users.size() + " -forward-user, " + identities.size()
                    + " -forward-identity)");
        }
        List<ForwardFlag> forwards = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String socket = sockets.get(i);
            String path = socket.startsWith("unix://") ? socket.substring("unix://".length()) : socket;
            if (path.isEmpty() || path.contains("://") || !Path.of(path).isAbsolute()) {
                throw FlagException.invalid("-forward-sock " + socket + ": not an absolute path or unix:///path");
            }
            if (dests.get(i).isEmpty()) {
                throw FlagException.invalid("-forward-dest: empty (the socket path in the guest)");
            }
            if (users.get(i).isEmpty()) {
                throw FlagException.invalid("-forward-user: empty (the SSH user in the guest)");
            }
            String identity = identities.get(i);
            if (identity.isEmpty() || !Files.isRegularFile(Path.of(identity))) {
                throw FlagException.invalid("-forward-identity " + identity + ": identity file cannot be loaded "
                        + "(no such file)");
            }
            forwards.add(new ForwardFlag(path, dests.get(i), users.get(i),
                    Path.of(identity).toAbsolutePath().toString()));
        }
        return List.copyOf(forwards);
    }

    /** The socket file this forward listens on. */
    Path socketPath() {
        return Path.of(socket);
    }

    Map<String, String> properties() {
        return Map.of("socket", socket, "dest", dest, "user", user, "identity", identity);
    }
}
