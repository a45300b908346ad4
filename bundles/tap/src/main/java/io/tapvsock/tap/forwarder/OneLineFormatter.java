package io.tapvsock.tap.forwarder;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/** One line per log record: "2026-11-27 10:15:02.123 INFO message: exception". Stack traces only at FINE. */
final class OneLineFormatter extends Formatter {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private final boolean stackTraces;

    OneLineFormatter(boolean stackTraces) {
        this.stackTraces = stackTraces;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder line = new StringBuilder(128)
                .append(TIME.format(record.getInstant())).append(' ')
                .append(record.getLevel().getName()).append(' ')
                .append(formatMessage(record).replace('\n', ' '));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.append(": ").append(thrown);
            if (stackTraces) {
                for (StackTraceElement frame : thrown.getStackTrace()) {
                    line.append(" | at ").append(frame);
                }
            }
        }
        return line.append(System.lineSeparator()).toString();
    }
}
