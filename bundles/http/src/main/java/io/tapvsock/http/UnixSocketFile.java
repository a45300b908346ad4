package io.tapvsock.http;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The life of an API socket file. The JDK cannot set a umask, so the socket is bound inside a fresh private
 * directory (mode 0700) next to its final path, set to mode 0600 there, and then renamed into place: nobody else
 * can connect before it has its final mode. A socket keeps working when its file is renamed.
 */
final class UnixSocketFile {

    private UnixSocketFile() {
    }

    /**
     * Makes room for a new socket at {@code path}: a stale socket file (nobody accepting) is removed; a live one,
     * or any other kind of file, is refused.
     *
     * @throws IOException naming the path and why it cannot be used
     */
    static void clearStale(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException absent) {
            return;
        }
        if (!attributes.isOther()) {
            throw new IOException(path + " already exists and is not a socket");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException nobodyListening) {
            Files.deleteIfExists(path);
            return;
        }
        throw new IOException(path + " is in use: another server accepts connections on it");
    }

    /** A new private (0700) directory next to {@code path}, on the same file system so a rename can move the socket. */
    static Path privateDirectoryFor(Path path) throws IOException {
        Path parent = path.getParent();
        for (int attempt = 0; ; attempt++) {
            // Short names: a socket path must fit in 107 bytes.
            Path dir = parent.resolve(".tv" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 24, 36));
            try {
                return Files.createDirectory(dir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                if (attempt == 10) {
                    throw taken;
                }
            }
        }
    }

    /** Sets the bound socket's mode to 0600 and renames it to its public path. */
    static void publish(Path bound, Path path) throws IOException {
        Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
        try {
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename the socket " + bound + " to " + path, e);
        }
    }
}
