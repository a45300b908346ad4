package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gvproxy's {@code -listen-vfkit unixgram:///path}. */
class ListenVfkitFlagTest {

    @TempDir
    Path dir;

    private static DaemonOptions parse(String... args) throws Exception {
        return DaemonOptions.parse("gvproxy", List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args)).getMessage();
    }

    @Test
    void unixgramUrl_isTheSocketPath() throws Exception {
        String url = "unixgram://" + dir.resolve("vfkit.sock");
        DaemonOptions options = parse("-listen-vfkit", url, "-ssh-port", "-1");
        assertEquals(url, options.listenVfkit().text());
        assertEquals(dir.resolve("vfkit.sock"), options.listenVfkit().socketPath());
        assertEquals(url, parse("--listen-vfkit=" + url).listenVfkit().text());
    }

    @Test
    void absent_isNull() throws Exception {
        assertNull(parse("-ssh-port", "-1").listenVfkit());
    }

    @Test
    void otherSchemesAndRelativePaths_areRefusedNamingTheFlag() {
        assertEquals("-listen-vfkit \"unix:///tmp/v.sock\" is not unixgram:///path",
                error("-listen-vfkit", "unix:///tmp/v.sock"));
        assertEquals("-listen-vfkit \"unixgram://tmp/v.sock\" has no absolute socket path (want unixgram:///path)",
                error("-listen-vfkit", "unixgram://tmp/v.sock"));
    }

    @Test
    void anExistingPath_isRefused() throws Exception {
        Path path = Files.createFile(dir.resolve("taken.sock"));
        assertEquals("-listen-vfkit unixgram://" + path + ": " + path
                        + " already exists (remove it, or is another daemon using it?)",
                error("-listen-vfkit", "unixgram://" + path));
    }
}
