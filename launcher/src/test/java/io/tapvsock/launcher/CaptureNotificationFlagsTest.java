package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -pcap and -notification: what they take, and the errors that name them. */
class CaptureNotificationFlagsTest {

    @TempDir
    Path dir;

    private static DaemonOptions parse(String... args) throws Exception {
        return DaemonOptions.parse("gvproxy", List.of(args));
    }

    private static FlagException error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args));
    }

    @Test
    void pcapTakesAFileInAnExistingDirectory() throws Exception {
        assertEquals(dir.resolve("c.pcap"), parse("-pcap", dir.resolve("c.pcap").toString()).pcap());
        assertNull(parse().pcap());
        assertNull(parse("-pcap=").pcap()); // empty: not given, as gvproxy
    }

    @Test
    void pcapInAMissingDirectoryIsAFlagError() {
        FlagException e = error("-pcap", dir.resolve("no/such/dir/c.pcap").toString());
        assertEquals("-pcap " + dir.resolve("no/such/dir/c.pcap") + ": directory " + dir.resolve("no/such/dir")
                + " does not exist", e.getMessage());
        assertFalse(e.showUsage());
    }

    @Test
    void notificationTakesAUnixUrl() throws Exception {
        ListenUrl url = parse("--notification=unix://" + dir.resolve("n.sock")).notification();
        assertEquals(dir.resolve("n.sock"), url.socketPath());
        assertEquals("unix://" + dir.resolve("n.sock"), url.text());
        assertNull(parse().notification());
    }

    @Test
    void aNotificationUrlThatIsNotUnixNamesTheFlag() {
        assertEquals("-notification \"tcp://127.0.0.1:9\" is not unix:///path",
                error("-notification", "tcp://127.0.0.1:9").getMessage());
        assertEquals("-notification \"/tmp/n.sock\" is not unix:///path",
                error("-notification", "/tmp/n.sock").getMessage());
        assertEquals("-notification \"unix://n.sock\" has no absolute socket path (want unix:///path)",
                error("-notification", "unix://n.sock").getMessage());
    }
}
