package io.tapvsock.itests.harness;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A unix socket server in a namespace guest that stands for podman's API: {@code GET /_ping} answers {@code OK},
 * another GET 404, and any other stream is echoed until its EOF (then the server half-closes). python3.
 */
public final class GuestSocketServer {

    private static final String SCRIPT = """
            import os, socket, sys, threading
            path = sys.argv[1]
            if os.path.exists(path):
                os.unlink(path)
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(16)
            def serve(c):
                data = c.recv(65536)
                if data.startswith(b"GET "):
                    while b"\\r\\n\\r\\n" not in data:
                        data += c.recv(65536)
                    if data.startswith(b"GET /_ping "):
                        c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 2\\r\\n\\r\\nOK")
                    else:
                        c.sendall(b"HTTP/1.1 404 Not Found\\r\\nContent-Length: 0\\r\\n\\r\\n")
                    c.close()
                    return
                while data:
                    c.sendall(data)
                    data = c.recv(65536)
                c.shutdown(socket.SHUT_WR)
                c.close()
            while True:
                conn, _ = server.accept()
                threading.Thread(target=serve, args=(conn,), daemon=True).start()
            """;

    private GuestSocketServer() {
    }

    /** Starts the server at {@code socket} in the namespace and waits until the socket exists. */
    public static void start(NetNs ns, Path socket) throws InterruptedException {
        Require.executable("python3");
        ns.start("guest-api", List.of("python3", "-c", SCRIPT, socket.toString()));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(socket)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest's socket " + socket + " did not appear within 30 s");
            }
            Thread.sleep(200);
        }
    }
}
