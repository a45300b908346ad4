package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gvproxy's four -forward-* flags: repeatable, matched by position, the identity file must exist. */
class ForwardFlagTest {

    @TempDir
    Path dir;

    private static String error(String... args) {
        return assertThrows(FlagException.class, () -> DaemonOptions.parse("gvproxy", List.of(args))).getMessage();
    }

    @Test
    void quadruples_in_varying_order_are_matched_by_position() throws Exception {
        Path key1 = Files.writeString(dir.resolve("key1"), "k");
        Path key2 = Files.writeString(dir.resolve("key2"), "k");
        DaemonOptions options = DaemonOptions.parse("gvproxy", List.of(
                "-forward-sock", dir.resolve("a.sock").toString(), "-forward-dest", "/run/podman/podman.sock",
                "-forward-user", "core", "-forward-identity", key1.toString(),
                "-forward-sock", "unix://" + dir.resolve("b.sock"), "-forward-user", "root",
                "-forward-dest", "/run/user/1000/podman/podman.sock", "--forward-identity=" + key2));
        assertEquals(2, options.forwards().size());
        assertEquals(Map.of("socket", dir.resolve("a.sock").toString(), "dest", "/run/podman/podman.sock",
                "user", "core", "identity", key1.toString()), options.forwards().get(0).properties());
        assertEquals(Map.of("socket", dir.resolve("b.sock").toString(), "dest", "/run/user/1000/podman/podman.sock",
                "user", "root", "identity", key2.toString()), options.forwards().get(1).properties());
    }

    @Test
    void none_given_means_no_forwards() throws Exception {
        assertTrue(DaemonOptions.parse("gvproxy", List.of()).forwards().isEmpty());
    }

    @Test
    void a_count_mismatch_names_the_flags() throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "k");
        String message = error("-forward-sock", dir.resolve("a.sock").toString(), "-forward-dest", "/x",
                "-forward-user", "core", "-forward-identity", key.toString(), "-forward-sock",
                dir.resolve("b.sock").toString());
        assertEquals("-forward-sock, -forward-dest, -forward-user and -forward-identity must be given the same "
                + "number of times (got 2 -forward-sock, 1 -forward-dest, 1 -forward-user, 1 -forward-identity)",
                message);
    }

    @Test
    void a_missing_identity_file_names_the_flag() {
        Path missing = dir.resolve("no-such-key");
        assertEquals("-forward-identity " + missing + ": identity file cannot be loaded (no such file)",
                error("-forward-sock", dir.resolve("a.sock").toString(), "-forward-dest", "/x",
                        "-forward-user", "core", "-forward-identity", missing.toString()));
    }

    @Test
    void a_socket_that_is_not_a_unix_path_names_the_flag() throws Exception {
        Path key = Files.writeString(dir.resolve("key"), "k");
        assertEquals("-forward-sock npipe:////./pipe/x: not an absolute path or unix:///path",
                error("-forward-sock", "npipe:////./pipe/x", "-forward-dest", "/x", "-forward-user", "core",
                        "-forward-identity", key.toString()));
    }
}
