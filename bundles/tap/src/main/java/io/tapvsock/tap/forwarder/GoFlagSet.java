package io.tapvsock.tap.forwarder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Command-line flags parsed by the rules of Go's {@code flag} package, so scripts written for gvforwarder keep
 * working: {@code -x v}, {@code -x=v}, {@code --x v}, {@code --x=v}; a boolean alone means true and takes a value
 * only as {@code -x=true|false|1|0|t|f|...}; the last of repeated flags wins; parsing stops at the first
 * non-flag argument or after {@code --}; -h and -help ask for usage unless defined. Error messages are Go's.
 */
final class GoFlagSet {

    private enum Kind { STRING, INT, BOOL }

    private record Flag(String name, Kind kind, String defaultText, String usage) {
    }

    private final String program;
    private final Map<String, Flag> flags = new TreeMap<>();
    private final Map<String, Object> values = new HashMap<>();
    private final List<String> rest = new ArrayList<>();

    GoFlagSet(String program) {
        this.program = program;
    }

    void stringFlag(String name, String defaultValue, String usage) {
        define(new Flag(name, Kind.STRING, defaultValue, usage), defaultValue);
    }

    void intFlag(String name, long defaultValue, String usage) {
        define(new Flag(name, Kind.INT, Long.toString(defaultValue), usage), defaultValue);
    }

    void boolFlag(String name, boolean defaultValue, String usage) {
        define(new Flag(name, Kind.BOOL, Boolean.toString(defaultValue), usage), defaultValue);
    }

    private void define(Flag flag, Object defaultValue) {
        if (flags.putIfAbsent(flag.name, flag) != null) {
            throw new IllegalArgumentException("flag redefined: " + flag.name);
        }
        values.put(flag.name, defaultValue);
    }

    String stringValue(String name) {
        return (String) values.get(name);
    }

    long intValue(String name) {
        return (Long) values.get(name);
    }

    boolean boolValue(String name) {
        return (Boolean) values.get(name);
    }

    /** The arguments after the flags. */
    List<String> args() {
        return List.copyOf(rest);
    }

    /** Parses args; on failure the values parsed so far stay set, as in Go. */
    void parse(List<String> args) throws FlagException {
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                break; // the first non-flag argument ends the flags ("-" alone is one)
            }
            int dashes = 1;
            if (arg.charAt(1) == '-') {
                dashes = 2;
                if (arg.length() == 2) {
                    i++; // "--" ends the flags and is consumed
                    break;
                }
            }
            String name = arg.substring(dashes);
            if (name.isEmpty() || name.charAt(0) == '-' || name.charAt(0) == '=') {
                throw FlagException.error("bad flag syntax: " + arg);
            }
            i++;
            String value = null;
            int equals = name.indexOf('=', 1);
            if (equals > 0) {
                value = name.substring(equals + 1);
                name = name.substring(0, equals);
            }
            Flag flag = flags.get(name);
            if (flag == null) {
                if (name.equals("help") || name.equals("h")) {
                    throw FlagException.helpRequested();
                }
                throw FlagException.error("flag provided but not defined: -" + name);
            }
            if (flag.kind == Kind.BOOL) {
                if (value == null) {
                    values.put(name, true);
                } else {
                    Boolean parsed = parseBool(value);
                    if (parsed == null) {
                        throw FlagException.error("invalid boolean value " + quote(value) + " for -" + name
                                + ": parse error");
                    }
                    values.put(name, parsed);
                }
                continue;
            }
            if (value == null) {
                if (i == args.size()) {
                    throw FlagException.error("flag needs an argument: -" + name);
                }
                value = args.get(i++);
            }
            if (flag.kind == Kind.STRING) {
                values.put(name, value);
            } else {
                values.put(name, parseInt(name, value));
            }
        }
        rest.clear();
        rest.addAll(args.subList(i, args.size()));
    }

    /** Go's strconv.ParseBool. */
    private static Boolean parseBool(String text) {
        return switch (text) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> null;
        };
    }

    /** Go's strconv.ParseInt(text, 0, 64): sign, then 0x/0o/0b or a leading 0 (octal), digits, '_' between them. */
    private static long parseInt(String name, String text) throws FlagException {
        FlagException parseError = FlagException.error("invalid value " + quote(text) + " for flag -" + name
                + ": parse error");
        String digits = text;
        boolean negative = false;
        if (!digits.isEmpty() && (digits.charAt(0) == '+' || digits.charAt(0) == '-')) {
            negative = digits.charAt(0) == '-';
            digits = digits.substring(1);
        }
        int radix = 10;
        boolean prefixed = false;
        if (digits.length() > 1 && digits.charAt(0) == '0') {
            prefixed = true;
            switch (Character.toLowerCase(digits.charAt(1))) {
                case 'x' -> { radix = 16; digits = digits.substring(2); }
                case 'o' -> { radix = 8; digits = digits.substring(2); }
                case 'b' -> { radix = 2; digits = digits.substring(2); }
                default -> { radix = 8; digits = digits.substring(1); }
            }
        }
        // Underscores separate digits (or follow a base prefix): "1_000", "0x_1f"; never doubled or trailing.
        if (prefixed && digits.startsWith("_")) {
            digits = digits.substring(1);
        }
        if (digits.contains("__") || digits.endsWith("_") || digits.startsWith("_")) {
            throw parseError;
        }
        digits = digits.replace("_", "");
        int base = radix;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c < 128 && Character.digit(c, base) >= 0)) {
            throw parseError;
        }
        try {
            return Long.parseLong((negative ? "-" : "") + digits, radix);
        } catch (NumberFormatException e) {
            throw FlagException.error("invalid value " + quote(text) + " for flag -" + name
                    + ": value out of range");
        }
    }

    /** Go's %q for the plain strings a command line carries. */
    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    /** Go's "Usage of NAME:" plus PrintDefaults: flags sorted, type names, non-zero defaults. */
    String usage() {
        StringBuilder text = new StringBuilder("Usage of ").append(program).append(":\n");
        for (Flag flag : flags.values()) {
            StringBuilder line = new StringBuilder("  -").append(flag.name);
            String typeName = switch (flag.kind) {
                case STRING -> "string";
                case INT -> "int";
                case BOOL -> "";
            };
            if (!typeName.isEmpty()) {
                line.append(' ').append(typeName);
            }
            line.append(line.length() <= 4 ? "\t" : "\n    \t");
            line.append(flag.usage.replace("\n", "\n    \t"));
            boolean zero = switch (flag.kind) {
                case STRING -> flag.defaultText.isEmpty();
                case INT -> flag.defaultText.equals("0");
                case BOOL -> flag.defaultText.equals("false");
            };
            if (!zero) {
                line.append(" (default ")
                        .append(flag.kind == Kind.STRING ? quote(flag.defaultText) : flag.defaultText)
                        .append(')');
            }
            text.append(line).append('\n');
        }
        return text.toString();
    }
}
