package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Edits a FileInstall {@code .cfg} file ({@code key = value} lines) the way an operator would. The new content
 * is written next to the file and moved over it, so the watcher never reads half a file.
 */
public final class CfgFile {
    private CfgFile() {
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
            Path next = file.resolveSibling("." + file.getFileName() + ".next");
            Files.write(next, lines, StandardCharsets.UTF_8);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot edit " + file, e);
        }
    }
}
