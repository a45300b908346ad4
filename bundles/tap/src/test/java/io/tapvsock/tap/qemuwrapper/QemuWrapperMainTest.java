package io.tapvsock.tap.qemuwrapper;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wrapper with a shell standing in for QEMU: it uses fd 3 both ways, then exits with a chosen status. */
class QemuWrapperMainTest {

    @TempDir
    Path dir;

    @Test
    void theChildGetsTheConnectionAsFd3_andItsExitStatusPassesThrough() throws Exception {
        Path socket = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            CompletableFuture<String> exchange = CompletableFuture.supplyAsync(() -> serveOne(server));
            // The child reads one line from fd 3, writes it back upper-cased, and exits 7.
            int status = QemuWrapperMain.run(List.of("unix://" + socket, "sh", "-c",
                    "read line <&3; echo \"got $line\" >&3; exit 7"));
            assertEquals(7, status);
            assertEquals("got hello", exchange.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aSignalThatEndsTheChild_is128PlusItsNumber() throws Exception {
        Path socket = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(128 + 15, QemuWrapperMain.run(List.of(socket.toString(), "sh", "-c", "kill -TERM $$")));
        }
    }

    @Test
    void badUsageAndMissingSocketOrProgram() throws Exception {
        assertEquals(2, QemuWrapperMain.run(List.of("only-a-socket")));
        assertEquals(1, QemuWrapperMain.run(List.of(dir.resolve("absent.sock").toString(), "true")));
        Path socket = dir.resolve("q.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            assertEquals(1, QemuWrapperMain.run(List.of(socket.toString(), "no-such-program-anywhere")));
        }
    }

    /** Accepts one client, sends "hello\n", returns the line the client sends back. */
    private static String serveOne(ServerSocketChannel server) {
        try (SocketChannel client = server.accept()) {
            client.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer in = ByteBuffer.allocate(256);
            while (in.position() == 0 || in.get(in.position() - 1) != '\n') {
                if (client.read(in) < 0) {
                    break;
                }
            }
            return new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
