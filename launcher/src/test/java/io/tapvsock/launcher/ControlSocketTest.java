package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlSocketTest {

    @TempDir
    Path dir;

    /** Echoes the command; "fail ..." fails. */
    private static final CommandRunner ECHO = command -> command.startsWith("fail")
            ? new CommandRunner.Result(false, "failed: " + command + "\n")
            : new CommandRunner.Result(true, "ran: " + command + "\n");

    private static String exec(Path socket, String command, int expectedStatus) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(expectedStatus, ControlClient.exec(socket, command, new PrintStream(out, true, StandardCharsets.UTF_8)));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void a_command_and_its_output_with_status() throws Exception {
        Path socket = dir.resolve("1.sock");
        try (ControlServer server = ControlServer.start(socket, ECHO)) {
            assertEquals(socket, server.path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("ran: lb\n", exec(socket, "lb", 0));
            assertEquals("ran: tapvsock:stats ü\n", exec(socket, "tapvsock:stats ü", 0));
            assertEquals("failed: fail now\n", exec(socket, "fail now", 1));
        }
        assertFalse(Files.exists(socket));
    }

    @Test
    void a_stale_socket_file_is_replaced() throws Exception {
        Path socket = Files.createFile(dir.resolve("2.sock"));
        try (ControlServer server = ControlServer.start(socket, ECHO)) {
            assertEquals(socket, server.path());
            assertEquals("ran: x\n", exec(socket, "x", 0));
        }
    }

    @Test
    void no_daemon_is_an_io_error() {
        assertThrows(IOException.class, () -> exec(dir.resolve("none.sock"), "lb", 0));
    }
}
