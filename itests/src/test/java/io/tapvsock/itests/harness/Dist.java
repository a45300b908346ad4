package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.stream.Stream;

/** Copies the assembled distribution so a test can edit its config/ and bundle/ freely. */
public final class Dist {
    /** Directories a test may change, or that the launcher locates relative to its own binary. */
    private static final Set<String> COPIED = Set.of("bin", "bundle", "config", "etc", "conf");

    private Dist() {
    }

    /**
     * Copies {@code bin/}, {@code bundle/}, {@code config/} and top-level files of {@code dist} into
     * {@code target}. Other top-level directories (the Java runtime, the class path) are only read, so their
     * files are hard-linked where possible: cheap, and unlike a directory symlink the launcher still finds the
     * copy as its home ({@code -Dtapvsock.home=$APPDIR/../..}).
     */
    public static Path copy(Path dist, Path target) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> top = Files.list(dist)) {
                for (Path entry : top.toList()) {
                    Path destination = target.resolve(entry.getFileName().toString());
                    boolean directory = Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS);
                    copyTree(entry, destination, directory && !COPIED.contains(entry.getFileName().toString()));
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the distribution " + dist + " to " + target, e);
        }
    }

    private static void copyTree(Path source, Path destination, boolean link) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(destination.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path copy = destination.resolve(source.relativize(file).toString());
                if (link && attrs.isRegularFile()) {
                    try {
                        Files.createLink(copy, file);
                        return FileVisitResult.CONTINUE;
                    } catch (IOException | UnsupportedOperationException e) {
                        // another file system: copy instead
                    }
                }
                Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
