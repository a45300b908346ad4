package io.tapvsock.transport.bess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.tap.ErrnoException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The socket calls' results and failures on real sockets: errno and the C library's text name what failed. */
@Timeout(60)
class SeqpacketSocketTest {

    private static final int ENOENT = 2;
    private static final int EADDRINUSE = 98;

    @TempDir
    Path dir;

    @Test
    void connectingToNoListenerNamesThePathAndTheReason() {
        Path path = dir.resolve("none.sock");
        ErrnoException e = assertThrows(ErrnoException.class, () -> SeqpacketSocket.connect(path));
        assertEquals(ENOENT, e.errno());
        assertEquals("connect " + path + ": No such file or directory", e.getMessage());
    }

    @Test
    void bindingToATakenPathFails() throws Exception {
        Path path = Files.createFile(dir.resolve("taken.sock"));
        ErrnoException e = assertThrows(ErrnoException.class, () -> SeqpacketSocket.listen(path, 1));
        assertEquals(EADDRINUSE, e.errno());
        assertEquals("bind " + path + ": Address already in use", e.getMessage());
    }

    @Test
    void acceptAnswersMinusOneWhenNoneIsPendingThenTakesTheClient() throws Exception {
        Path path = dir.resolve("b.sock");
        int listenFd = SeqpacketSocket.listen(path, 1);
        try {
            assertEquals(-1, SeqpacketSocket.accept(listenFd)); // EAGAIN: the socket is non-blocking
            int client = SeqpacketSocket.connect(path);
            int accepted = SeqpacketSocket.accept(listenFd);
            assertTrue(accepted >= 0, "accepted fd " + accepted);
            SeqpacketSocket.close(accepted);
            SeqpacketSocket.close(client);
        } finally {
            SeqpacketSocket.close(listenFd);
        }
    }
}
