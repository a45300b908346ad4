package io.tapvsock.launcher;

import java.util.logging.Level;
import java.util.logging.Logger;

/** Felix's own messages (resolver errors, bundle exceptions) into java.util.logging instead of stdout. */
final class FelixLogger extends org.apache.felix.framework.Logger {

    private static final Logger LOG = Logger.getLogger("org.apache.felix.framework");

    @Override
    protected void doLogOut(int level, String message, Throwable throwable) {
        Level julLevel = switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
        LOG.log(julLevel, message, throwable);
    }
}
