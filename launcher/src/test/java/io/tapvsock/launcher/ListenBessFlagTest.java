package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** gvproxy's {@code -listen-bess unixpacket:///path}. */
class ListenBessFlagTest {

    @TempDir
    Path dir;

    private static DaemonOptions parse(String... args) throws Exception {
        return DaemonOptions.parse("gvproxy", List.of(args));
    }

    private static String error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args)).getMessage();
    }

    @Test
    void unixpacketUrl_isTheSocketPath() throws Exception {
        String url = "unixpacket://" + dir.resolve("uml.sock");
        DaemonOptions options = parse("-listen-bess", url, "-ssh-port", "-1");
        assertEquals(url, options.listenBess().text());
        assertEquals(dir.resolve("uml.sock"), options.listenBess().socketPath());
    }

    @Test
    void doubleDashAndEqualsForms() throws Exception {
        String url = "unixpacket://" + dir.resolve("uml.sock");
        assertEquals(url, parse("--listen-bess=" + url).listenBess().text());
    }

    @Test
    void absent_isNull() throws Exception {
        assertNull(parse("-mtu", "1500").listenBess());
    }

    @Test
    void otherSchemes_andRelativePaths_areRefusedNamingTheFlag() {
        assertEquals("-listen-bess \"unix:///tmp/b.sock\" is not unixpacket:///path",
                error("-listen-bess", "unix:///tmp/b.sock"));
        assertEquals("-listen-bess \"unixpacket://tmp/b.sock\" has no absolute socket path (want unixpacket:///path)",
                error("-listen-bess", "unixpacket://tmp/b.sock"));
    }

    @Test
    void anExistingPath_isRefused() throws Exception {
        Path path = Files.createFile(dir.resolve("taken.sock"));
        assertEquals("-listen-bess unixpacket://" + path + ": " + path
                        + " already exists (remove it, or is another daemon using it?)",
                error("-listen-bess", "unixpacket://" + path));
    }
}
