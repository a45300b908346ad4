package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirTest {

    @TempDir
    Path dir;

    private final LongPredicate alive = Set.of(10L, 20L)::contains;

    @Test
    void xdg_runtime_dir_or_a_per_user_tmp_dir() {
        assertEquals(Path.of("/run/user/1000/tapvsock"), RuntimeDir.locate(Map.of("XDG_RUNTIME_DIR", "/run/user/1000"), 1000));
        assertEquals("tapvsock-1000", RuntimeDir.locate(Map.of(), 1000).getFileName().toString());
    }

    @Test
    void live_daemons_are_those_with_a_socket_and_a_live_pid() throws Exception {
        Files.createFile(dir.resolve("20.sock"));
        Files.createFile(dir.resolve("10.sock"));
        Files.createFile(dir.resolve("30.sock"));
        Files.createDirectory(dir.resolve("20.state"));
        Files.createFile(dir.resolve("notes.sock"));
        assertEquals(List.of(10L, 20L), RuntimeDir.liveDaemons(dir, alive));
    }

    @Test
    void sweep_removes_what_dead_daemons_left() throws Exception {
        Files.createFile(dir.resolve("10.sock"));
        Files.createFile(dir.resolve("30.sock"));
        Files.createDirectories(dir.resolve("30.state/felix/bundle1"));
        Files.createFile(dir.resolve("other"));
        RuntimeDir.sweep(dir, alive);
        assertTrue(Files.exists(dir.resolve("10.sock")));
        assertFalse(Files.exists(dir.resolve("30.sock")));
        assertFalse(Files.exists(dir.resolve("30.state")));
        assertTrue(Files.exists(dir.resolve("other")));
    }

    @Test
    void exec_finds_the_only_daemon() throws Exception {
        Files.createFile(dir.resolve("10.sock"));
        Files.createFile(dir.resolve("30.sock"));
        assertEquals(dir.resolve("10.sock"), RuntimeDir.findControlSocket(null, 0, dir, alive));
    }

    @Test
    void exec_with_several_daemons_must_choose() throws Exception {
        Files.createFile(dir.resolve("10.sock"));
        Files.createFile(dir.resolve("20.sock"));
        FlagException e = assertThrows(FlagException.class, () -> RuntimeDir.findControlSocket(null, 0, dir, alive));
        assertEquals("several daemons are running (pids 10, 20): choose one with -pid PID or -control PATH",
                e.getMessage());
        assertEquals(dir.resolve("20.sock"), RuntimeDir.findControlSocket(null, 20, dir, alive));
        assertEquals(Path.of("/x.sock"), RuntimeDir.findControlSocket(Path.of("/x.sock"), 0, dir, alive));
    }

    @Test
    void exec_without_a_daemon() {
        assertTrue(assertThrows(FlagException.class, () -> RuntimeDir.findControlSocket(null, 0, dir, alive))
                .getMessage().startsWith("no running tapvsock daemon found in "));
        assertTrue(assertThrows(FlagException.class, () -> RuntimeDir.findControlSocket(null, 77, dir, alive))
                .getMessage().startsWith("no control socket for pid 77"));
    }
}
