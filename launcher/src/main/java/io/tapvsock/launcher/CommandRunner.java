package io.tapvsock.launcher;

/** Runs one shell command inside the daemon (for {@code -exec}). */
interface CommandRunner {

    /** What a command printed and returned, and whether it failed. */
    record Result(boolean ok, String output) {
    }

    /** Never throws: a failure is a result with {@code ok == false} and the reason as output. */
    Result run(String command);
}
