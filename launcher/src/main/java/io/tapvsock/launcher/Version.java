package io.tapvsock.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version line of {@code -version}: gvproxy's shape, naming the gvproxy release we follow and ours. */
final class Version {

    private Version() {
    }

    /** E.g. "gvproxy version v0.8.9-tapvsock-0.1.0". */
    static String line(String program) {
        Properties versions = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                versions.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return program + " version " + versions.getProperty("gvproxy", "v0.8.9") + "-tapvsock-"
                + versions.getProperty("version", "unknown");
    }
}
