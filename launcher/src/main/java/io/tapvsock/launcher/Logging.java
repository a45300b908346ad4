package io.tapvsock.launcher;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Where the daemon logs: java.util.logging, which System.Logger (our bundles), slf4j-jdk14 (Jetty, Netty),
 * Felix ({@link FelixLogger}) and FileInstall all reach. One line per record to stderr, or to the
 * {@code -log-file} (truncated at start, like gvproxy's). With a log file, whatever a bundle prints to
 * stdout/stderr (SCR does, without a LogService) goes there too.
 */
final class Logging {

    /** Our own loggers: the level -debug changes. */
    static final String PROJECT_LOGGER = "io.tapvsock";

    private Logging() {
    }

    /**
     * @param logFile null for stderr
     * @param captureStandardStreams with a log file, send System.out and System.err there as well (not when the
     *     terminal is a Gogo console)
     * @return the stream the log goes to
     */
    static PrintStream configure(Path logFile, boolean debug, boolean captureStandardStreams) throws IOException {
        PrintStream out = System.err;
        if (logFile != null) {
            out = new PrintStream(new FileOutputStream(logFile.toFile(), false), true, StandardCharsets.UTF_8);
            if (captureStandardStreams) {
                System.setOut(out);
                System.setErr(out);
            }
        }
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.setLevel(Level.INFO);
        root.addHandler(new LineHandler(out));
        Logger.getLogger(PROJECT_LOGGER).setLevel(debug ? Level.FINE : Level.INFO);
        return out;
    }

    /** gvproxy's log-level (-config) above debug: ours and everyone's records below it are dropped. */
    static void setLevel(Level level) {
        Logger.getLogger("").setLevel(level);
        Logger.getLogger(PROJECT_LOGGER).setLevel(level);
    }

    /** A StreamHandler that flushes every record: a daemon's log is read while it runs, and may end by SIGKILL. */
    private static final class LineHandler extends StreamHandler {

        LineHandler(OutputStream out) {
            super(out, new LineFormatter());
            setLevel(Level.ALL);
            try {
                setEncoding(StandardCharsets.UTF_8.name());
            } catch (java.io.UnsupportedEncodingException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
        }

        @Override
        public synchronized void close() {
            flush(); // never close stderr
        }
    }
}
