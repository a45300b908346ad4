package io.tapvsock.service.dhcp.core;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Edits one key of a FileInstall .cfg file's text (java.util.Properties lines) the way an operator would: the
 * key's line is replaced; else the new line goes under the commented-out example of the key ("#key = ..."); else
 * at the end. Comments and every other line stay as they are.
 */
public final class CfgText {

    private CfgText() {
    }

    /** {@code text} with {@code key = value}; the value must not need escaping (no backslashes, no line breaks). */
    public static String set(String text, String key, String value) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        String line = key + " = " + value;
        Pattern active = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:\\s].*|^\\s*" + Pattern.quote(key) + "$");
        Pattern example = Pattern.compile("^\\s*[#!]\\s*" + Pattern.quote(key) + "\\s*[=:].*");
        int at = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (active.matcher(lines.get(i)).matches()) {
                if (at < 0) {
                    lines.set(i, line);
                    at = i;
                } else {
                    lines.remove(i--); // Properties keeps the last of repeated keys: keep one line only
                }
            }
        }
        if (at < 0) {
            for (int i = 0; i < lines.size() && at < 0; i++) {
                if (example.matcher(lines.get(i)).matches()) {
                    lines.add(i + 1, line);
                    at = i;
                }
            }
        }
        if (at < 0) {
            lines.add(line);
        }
        return String.join("\n", lines) + "\n";
    }
}
