package io.tapvsock.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.stream.Stream;

/**
 * The per-user directory of running daemons: {@code $XDG_RUNTIME_DIR/tapvsock}, or {@code /tmp/tapvsock-UID}
 * without one. Each daemon keeps its control socket {@code PID.sock} and (by default) its framework storage
 * {@code PID.state} there; entries of processes that are gone (SIGKILL leaves them) are swept at the next start.
 */
final class RuntimeDir {

    private RuntimeDir() {
    }

    static Path locate(Map<String, String> environment, long uid) {
        String xdg = environment.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "tapvsock");
        }
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"), "tapvsock-" + uid);
    }

    /** The effective uid, the owner of /proc/self. */
    static long uid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /** Creates the directory, private to its owner. */
    static Path create(Path dir) throws IOException {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return dir;
    }

    static Path controlSocket(Path dir, long pid) {
        return dir.resolve(pid + ".sock");
    }

    static Path stateDir(Path dir, long pid) {
        return dir.resolve(pid + ".state");
    }

    /** The pids that have a control socket here and are alive, in ascending order. */
    static List<Long> liveDaemons(Path dir, LongPredicate alive) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (Path entry : entries(dir)) {
            long pid = pidOf(entry, ".sock");
            if (pid > 0 && alive.test(pid)) {
                pids.add(pid);
            }
        }
        pids.sort(Comparator.naturalOrder());
        return pids;
    }

    /** Removes the sockets and state directories of daemons that are no longer alive. */
    static void sweep(Path dir, LongPredicate alive) throws IOException {
        for (Path entry : entries(dir)) {
            long pid = Math.max(pidOf(entry, ".sock"), pidOf(entry, ".state"));
            if (pid > 0 && !alive.test(pid)) {
                deleteTree(entry);
            }
        }
    }

    /**
     * The control socket {@code -exec} talks to: {@code -control}, else the one of {@code -pid}, else the only
     * live daemon's.
     *
     * @throws FlagException when there is none, or several and no choice was made
     */
    static Path findControlSocket(Path control, long pid, Path dir, LongPredicate alive) throws FlagException {
        if (control != null) {
            return control;
        }
        if (pid > 0) {
            Path socket = controlSocket(dir, pid);
            if (!Files.exists(socket)) {
                throw FlagException.invalid("no control socket for pid " + pid + " (" + socket + ")");
            }
            return socket;
        }
        List<Long> live;
        try {
            live = liveDaemons(dir, alive);
        } catch (IOException e) {
            throw FlagException.invalid("cannot list " + dir + ": " + e.getMessage());
        }
        if (live.isEmpty()) {
            throw FlagException.invalid("no running tapvsock daemon found in " + dir);
        }
        if (live.size() > 1) {
            throw FlagException.invalid("several daemons are running (pids " + live.toString().replaceAll("[\\[\\]]", "")
                    + "): choose one with -pid PID or -control PATH");
        }
        return controlSocket(dir, live.getFirst());
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static List<Path> entries(Path dir) throws IOException {
        List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        }
        return entries;
    }

    /** The pid in a name like "1234.sock", or -1. */
    private static long pidOf(Path entry, String suffix) {
        String name = entry.getFileName().toString();
        if (!name.endsWith(suffix)) {
            return -1;
        }
        String digits = name.substring(0, name.length() - suffix.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits);
    }
}
