package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes or edits a FileInstall {@code .cfg} file ({@code key = value} lines) the way an operator would. The new
 * content is written next to the file and moved over it, so the watcher never reads half a file.
 */
public final class CfgFile {
    private CfgFile() {
    }

    /** Creates (or replaces) {@code file} with one {@code key = value} line per entry, in iteration order. */
    public static void write(Path file, Map<String, String> values) {
        List<String> lines = new ArrayList<>();
        values.forEach((key, value) -> lines.add(key + " = " + value));
        replace(file, lines);
    }

    /** Sets {@code key} to {@code value}: replaces its line, or appends one. */
    public static void set(Path file, String key, String value) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
            Pattern keyLine = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:].*");
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                if (keyLine.matcher(lines.get(i)).matches()) {
                    lines.set(i, key + " = " + value);
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(key + " = " + value);
            }
            replace(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot edit " + file, e);
        }
    }

    /** Writes the lines next to {@code file} (a name the watcher ignores) and moves them over it at once. */
    private static void replace(Path file, List<String> lines) {
        try {
            Path next = file.resolveSibling("." + file.getFileName() + ".next");
            Files.write(next, lines, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
