package io.tapvsock.launcher;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The distribution's directories: {@code bin/} (the launchers), {@code lib/} (runtime and class path),
 * {@code bundle/} (every runtime bundle, watched by FileInstall) and {@code config/} (ConfigAdmin files, watched
 * too). The launchers pass {@code -Dtapvsock.home}; without it (tests, an IDE) the current directory is the home.
 */
record Layout(Path home) {

    static final String HOME_PROPERTY = "tapvsock.home";

    static Layout fromSystemProperties() {
        String home = System.getProperty(HOME_PROPERTY);
        return new Layout(Path.of(home == null ? "." : home).toAbsolutePath().normalize());
    }

    Path bundleDir() {
        return home.resolve("bundle");
    }

    /** Transports outside the default bundle set: installed on demand by the flag that needs one. */
    Path extrasDir() {
        return home.resolve("extras");
    }

    Path configDir() {
        return home.resolve("config");
    }

    /** The jars in bundle/, sorted by name. */
    List<Path> bundleJars() throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(bundleDir(), "*.jar")) {
            stream.forEach(jars::add);
        }
        jars.sort(null);
        return jars;
    }
}
