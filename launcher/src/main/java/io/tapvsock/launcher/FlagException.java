package io.tapvsock.launcher;

/**
 * A command line (or the configuration it implies) that cannot be used. The program prints the message, the
 * usage when {@link #showUsage()} (Go does so for syntax errors), and exits with status 2.
 */
final class FlagException extends Exception {

    private static final long serialVersionUID = 1L;

    static final int EXIT_STATUS = 2;

    private final boolean showUsage;

    private FlagException(String message, boolean showUsage) {
        super(message, null, false, false);
        this.showUsage = showUsage;
    }

    /** A syntax error: Go prints the message and then the usage. */
    static FlagException withUsage(String message) {
        return new FlagException(message, true);
    }

    /** A value that parses but cannot be used: the message alone names the flag and the reason. */
    static FlagException invalid(String message) {
        return new FlagException(message, false);
    }

    boolean showUsage() {
        return showUsage;
    }
}
