package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gvforwarder's {@code -url stdio:/path/to/program?k=v}: the forwarder (in a test namespace) starts a small
 * script with one -k=v argument per query parameter; the script records them and joins its stdin and stdout to
 * the test's unix socket with socat, so the test sees the child's side of the stream: hyperkit frames, no
 * request head. When the child exits (the test hangs up, socat ends), the forwarder starts it again.
 */
class ForwarderStdioTest extends ForwarderFixture {

    private Path args;
    private Path script;

    ForwarderStdioTest() {
        super(Framing.HYPERKIT);
    }

    @BeforeEach
    void start() throws Exception {
        open("peer.sock", "busybox", "socat");
        args = dir.resolve("args.log");
        script = dir.resolve("peer.sh");
        Files.writeString(script, """
                #!/bin/sh
                # The child of a stdio: URL: records its arguments, then relays stdin/stdout to -socket.
                for arg in "$@"; do
                  case "$arg" in -socket=*) socket="${arg#-socket=}" ;; esac
                done
                printf '%s\\n' "$*" >> "%s"
                exec socat - "UNIX-CONNECT:$socket"
                """.replace("\"%s\"", "\"" + args + "\""));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void childGetsFlags_framesOverItsStdio_andIsStartedAgainAfterItExits() throws Exception {
        // No -mtu: gvforwarder's default 4000.
        startForwarder("-url", "stdio:" + script + "?socket=" + socket + "&mode=test+run", "-debug", "-dhcp=false");
        SocketChannel connection = accept();
        String link = namespace.ip("link", "show", "tap0");
        assertTrue(link.contains("mtu 4000") && link.contains("link/ether 5a:94:ef:e4:0c:ee"), link);

        pingPeer();
        answerArpRequest(connection); // the very first bytes are a frame: no request head

        // Hanging up ends socat, so the child exits: the forwarder starts a new one.
        connection.close();
        connection = accept();
        awaitFrameFromGuest(connection);

        String flags = "-socket=" + socket + " -mode=test run";
        assertEquals(List.of(flags, flags), Files.readAllLines(args, StandardCharsets.UTF_8));
        String output = Files.readString(log, StandardCharsets.UTF_8);
        // Why it was lost depends on who noticed first: the child's exit, or a write into its closed stdin.
        assertTrue(output.contains("connection to stdio:" + script) && output.contains(" lost: "), output);
        assertTrue(output.contains("reconnected to stdio:"), output);

        stopForwarderCleanly(); // the forwarder kills its child, so socat's side ends too
        assertEndOfStream(connection); // frames in flight before the child died, then its end
        connection.close();
    }
}
