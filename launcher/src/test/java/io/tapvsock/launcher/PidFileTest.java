package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PidFileTest {

    @TempDir
    Path dir;

    @Test
    void digits_only_without_newline() throws Exception {
        Path file = dir.resolve("gvproxy.pid");
        PidFile.write(file, 12345);
        assertArrayEquals("12345".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void replaces_an_old_file_and_leaves_no_temporary_behind() throws Exception {
        Path file = Files.writeString(dir.resolve("gvproxy.pid"), "999999\n");
        PidFile.write(file, 7);
        assertEquals("7", Files.readString(file));
        try (var entries = Files.list(dir)) {
            assertEquals(1, entries.count());
        }
    }

    @Test
    void removed_on_exit_only_while_it_is_ours() throws Exception {
        Path file = dir.resolve("gvproxy.pid");
        PidFile.write(file, 42);
        PidFile.remove(file, 43);
        assertTrue(Files.exists(file));
        PidFile.remove(file, 42);
        assertFalse(Files.exists(file));
        PidFile.remove(file, 42); // already gone: no error
    }

    @Test
    void only_positive_pids() {
        assertThrows(IllegalArgumentException.class, () -> PidFile.format(0));
    }
}
