package io.tapvsock.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The {@code -pid-file}: the process id in decimal digits with no newline (podman parses it with a plain integer
 * parse), written before anything listens and removed on exit.
 */
final class PidFile {

    private PidFile() {
    }

    static String format(long pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("not a process id: " + pid);
        }
        return Long.toString(pid);
    }

    /** Writes through a temporary file and a rename, so a reader never sees a half-written number. */
    static void write(Path file, long pid) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path temporary = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(temporary, format(pid), StandardCharsets.US_ASCII);
            // createTempFile makes it 0600; a pid file is for anyone to read, like gvproxy's.
            Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /** Removes the file if it still holds this pid (another daemon may have taken the path over since). */
    static void remove(Path file, long pid) {
        try {
            if (Files.isRegularFile(file) && Files.readString(file, StandardCharsets.US_ASCII).equals(format(pid))) {
                Files.delete(file);
            }
        } catch (IOException e) {
            // nothing better to do on the way out
        }
    }
}
