package io.tapvsock.launcher;

/** The daemon could not start: the message names the cause; the process exits with {@link #exitStatus()}. */
final class StartupException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    StartupException(String message) {
        this(message, 1, null);
    }

    StartupException(String message, int exitStatus, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}
