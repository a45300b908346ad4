package io.tapvsock.tap.forwarder;

/**
 * A command line that Go's flag package would refuse, with Go's message ("flag provided but not defined: -x"),
 * or a request for help (-h, -help), which is not an error: usage, then exit status 0.
 */
final class FlagException extends Exception {

    private final boolean help;

    private FlagException(String message, boolean help) {
        super(message, null, false, false);
        this.help = help;
    }

    static FlagException error(String message) {
        return new FlagException(message, false);
    }

    static FlagException helpRequested() {
        return new FlagException("flag: help requested", true);
    }

    /** True for -h/-help: print usage and exit 0. */
    boolean isHelp() {
        return help;
    }
}
