package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tests of gvproxy's {@code -listen-*} flags share: parsing a command line, the error a flag gets, and
 * ({@link SocketPathFlag}) the tests every flag whose URL names a socket path passes.
 */
abstract class ListenFlagFixture {

    @TempDir
    Path dir;

    static DaemonOptions parse(String... args) throws Exception {
        return DaemonOptions.parse("gvproxy", List.of(args));
    }

    static String error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args)).getMessage();
    }

    /**
     * The tests every flag whose URL names a socket path ({@code scheme:///path}) passes: the URL is kept as
     * given in either form, the flag is null when absent, other schemes and relative paths are refused, and so is
     * a path that already exists.
     */
    abstract static class SocketPathFlag extends ListenFlagFixture {

        private final String flag;
        private final String scheme;
        private final Function<DaemonOptions, ListenUrl> listenUrl;

        /** @param listenUrl the flag's value in the parsed options */
        SocketPathFlag(String flag, String scheme, Function<DaemonOptions, ListenUrl> listenUrl) {
            this.flag = flag;
            this.scheme = scheme;
            this.listenUrl = listenUrl;
        }

        @Test
        void url_isTheSocketPath_inEitherForm() throws Exception {
            String url = scheme + "://" + dir.resolve("guest.sock");
            ListenUrl parsed = listenUrl.apply(parse(flag, url, "-ssh-port", "-1"));
            assertEquals(url, parsed.text());
            assertEquals(dir.resolve("guest.sock"), parsed.socketPath());
            assertEquals(url, listenUrl.apply(parse("-" + flag + "=" + url)).text());
        }

        @Test
        void absent_isNull() throws Exception {
            assertNull(listenUrl.apply(parse("-mtu", "1500", "-ssh-port", "-1")));
        }

        @Test
        void otherSchemes_andRelativePaths_areRefusedNamingTheFlag() {
            assertEquals(flag + " \"unix:///tmp/x.sock\" is not " + scheme + ":///path",
                    error(flag, "unix:///tmp/x.sock"));
            assertEquals(flag + " \"" + scheme + "://tmp/x.sock\" has no absolute socket path (want " + scheme
                            + ":///path)",
                    error(flag, scheme + "://tmp/x.sock"));
        }

        @Test
        void anExistingPath_isRefused() throws Exception {
            assertExistingPathRefused(flag, scheme);
        }
    }

    /** A socket path that already exists is refused: another daemon may be using it. */
    void assertExistingPathRefused(String flag, String scheme) throws Exception {
        Path path = Files.createFile(dir.resolve("taken.sock"));
        assertEquals(flag + " " + scheme + "://" + path + ": " + path
                        + " already exists (remove it, or is another daemon using it?)",
                error(flag, scheme + "://" + path));
    }
}
