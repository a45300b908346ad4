package io.tapvsock.launcher;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT run a handler instead of the JVM's default (shutdown hooks, then exit status 143/130):
 * a daemon stopped by a signal shuts down cleanly and exits 0. sun.misc.Signal (module jdk.unsupported) is the
 * JDK's supported way to do this; javac warns about it, hence this one small class.
 */
final class Signals {

    private Signals() {
    }

    static void onTermination(Runnable handler) {
        Signal.handle(new Signal("TERM"), signal -> handler.run());
        Signal.handle(new Signal("INT"), signal -> handler.run());
    }
}
