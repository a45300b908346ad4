package io.tapvsock.launcher;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A command-line grammar with the rules of Go's {@code flag} package, which gvproxy uses and which the tools that
 * start gvproxy rely on: {@code -x v}, {@code -x=v}, {@code --x v} and {@code --x=v} all work; a boolean flag takes
 * no separate value but accepts {@code -x=true|false|1|0|t|f}; a repeatable flag accumulates; parsing stops at the
 * first argument that is not a flag and after {@code --}; {@code -h} and {@code -help} ask for the usage. Errors use
 * Go's wording, since scripts and people compare them with gvproxy's.
 */
final class Flags {

    enum Kind {
        BOOL(""), STRING("string"), INT("int"), REPEATED("value");

        /** The value's name in the usage text, as Go prints it. */
        final String typeName;

        Kind(String typeName) {
            this.typeName = typeName;
        }
    }

    /** One flag: its name without dashes, how its value parses, a one-line usage and the default shown. */
    record Flag(String name, Kind kind, String usage, String defaultValue) {
    }

    /** {@code -h} or {@code -help} was given: print the usage and exit 0, as Go does. */
    static final class HelpRequested extends Exception {
        private static final long serialVersionUID = 1L;

        HelpRequested() {
            super("help requested", null, false, false);
        }
    }

    private final String program;
    private final Map<String, Flag> flags = new LinkedHashMap<>();

    Flags(String program) {
        this.program = program;
    }

    Flags bool(String name, String usage) {
        return add(new Flag(name, Kind.BOOL, usage, "false"));
    }

    Flags string(String name, String usage) {
        return add(new Flag(name, Kind.STRING, usage, ""));
    }

    Flags integer(String name, String usage, int defaultValue) {
        return add(new Flag(name, Kind.INT, usage, Integer.toString(defaultValue)));
    }

    /** A flag that may be given several times; every value is kept, in order. */
    Flags repeated(String name, String usage) {
        return add(new Flag(name, Kind.REPEATED, usage, ""));
    }

    private Flags add(Flag flag) {
        if (flags.putIfAbsent(flag.name(), flag) != null) {
            throw new IllegalArgumentException("flag redefined: " + flag.name());
        }
        return this;
    }

    /**
     * Parses the arguments (without the program name).
     *
     * @throws FlagException with Go's message; its usage should be printed and the exit status is 2
     * @throws HelpRequested for {@code -h}/{@code -help}
     */
    Parsed parse(List<String> args) throws FlagException, HelpRequested {
        Map<String, List<String>> values = new LinkedHashMap<>();
        int i = 0;
        while (i < args.size()) {
            String arg = args.get(i);
            if (arg.length() < 2 || arg.charAt(0) != '-') {
                break; // the first non-flag argument ends the flags
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
                throw FlagException.withUsage("bad flag syntax: " + arg);
            }
            i++;
            String value = null;
            int eq = name.indexOf('=', 1);
            if (eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag flag = flags.get(name);
            if (flag == null) {
                if (name.equals("help") || name.equals("h")) {
                    throw new HelpRequested();
                }
                throw FlagException.withUsage("flag provided but not defined: -" + name);
            }
            if (flag.kind() == Kind.BOOL) {
                value = value == null ? "true" : parseBool(name, value);
            } else {
                if (value == null) {
                    if (i == args.size()) {
                        throw FlagException.withUsage("flag needs an argument: -" + name);
                    }
                    value = args.get(i++);
                }
                if (flag.kind() == Kind.INT) {
                    value = Integer.toString(parseInt(name, value));
                }
            }
            List<String> list = values.computeIfAbsent(name, k -> new ArrayList<>());
            if (flag.kind() != Kind.REPEATED) {
                list.clear(); // Go: a repeated ordinary flag keeps its last value
            }
            list.add(value);
        }
        return new Parsed(this, values, List.copyOf(args.subList(i, args.size())));
    }

    Flag flag(String name) {
        Flag flag = flags.get(name);
        if (flag == null) {
            throw new IllegalArgumentException("no such flag: " + name);
        }
        return flag;
    }

    /** Go's usage text: "Usage of PROGRAM:" and every flag in lexical order. */
    String usage() {
        StringBuilder text = new StringBuilder("Usage of ").append(program).append(":\n");
        for (Flag flag : new TreeMap<>(flags).values()) {
            int start = text.length();
            text.append("  -").append(flag.name());
            if (!flag.kind().typeName.isEmpty()) {
                text.append(' ').append(flag.kind().typeName);
            }
            // Go puts a one-letter flag's usage on the same line, every other one on the next.
            text.append(text.length() - start <= 4 ? "\t" : "\n    \t");
            text.append(flag.usage());
            boolean zero = switch (flag.kind()) {
                case BOOL -> flag.defaultValue().equals("false");
                case INT -> flag.defaultValue().equals("0");
                case STRING, REPEATED -> flag.defaultValue().isEmpty();
            };
            if (!zero) {
                String shown = flag.kind() == Kind.STRING ? '"' + flag.defaultValue() + '"' : flag.defaultValue();
                text.append(" (default ").append(shown).append(')');
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Go's strconv.ParseBool. */
    private static String parseBool(String name, String value) throws FlagException {
        return switch (value) {
            case "1", "t", "T", "true", "TRUE", "True" -> "true";
            case "0", "f", "F", "false", "FALSE", "False" -> "false";
            default -> throw FlagException.withUsage(
                    "invalid boolean value \"" + value + "\" for -" + name + ": parse error");
        };
    }

    /** Go's strconv.ParseInt(s, 0, 64) narrowed to int: decimal, 0x hex, 0 octal, with a sign. */
    private static int parseInt(String name, String value) throws FlagException {
        if (value.isEmpty() || value.indexOf('#') >= 0) {
            throw FlagException.withUsage("invalid value \"" + value + "\" for flag -" + name + ": parse error");
        }
        try {
            return Integer.decode(value);
        } catch (NumberFormatException e) {
            String reason = value.matches("[+-]?[0-9]+") ? "value out of range" : "parse error";
            throw FlagException.withUsage("invalid value \"" + value + "\" for flag -" + name + ": " + reason);
        }
    }

    /** The result of {@link #parse}: the values of the flags that were given, and the remaining arguments. */
    record Parsed(Flags flags, Map<String, List<String>> values, List<String> arguments) {

        boolean isSet(String name) {
            flags.flag(name);
            return values.containsKey(name);
        }

        /** The value given last, or the flag's default. */
        String value(String name) {
            List<String> given = values.get(name);
            return given == null ? flags.flag(name).defaultValue() : given.getLast();
        }

        /** Every value of a repeatable flag, in the order given. */
        List<String> all(String name) {
            flags.flag(name);
            return List.copyOf(values.getOrDefault(name, List.of()));
        }

        boolean bool(String name) {
            return Boolean.parseBoolean(value(name));
        }

        int integer(String name) {
            return Integer.parseInt(value(name));
        }
    }
}
