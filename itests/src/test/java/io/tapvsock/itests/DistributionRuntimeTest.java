package io.tapvsock.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.itests.harness.Proc;
import io.tapvsock.itests.harness.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The distribution's own Java runtime starts every launcher with a class data sharing archive it can map. The
 * archive must be dumped with the launchers' object layout: one made for another layout (jlink's default, without
 * compact object headers) is silently ignored, and every start parses the JDK's classes again.
 */
class DistributionRuntimeTest {

    @Test
    void everyLauncherMapsTheCdsArchive() throws IOException {
        Path home = Require.dist();
        Path java = home.resolve("lib/runtime/bin/java");
        List<Path> configs;
        try (Stream<Path> files = Files.list(home.resolve("lib/app"))) {
            configs = files.filter(f -> f.toString().endsWith(".cfg")).sorted().toList();
        }
        assertFalse(configs.isEmpty(), "no launcher configuration under " + home.resolve("lib/app"));
        for (Path config : configs) {
            List<String> command = new ArrayList<>(List.of(java.toString(), "-Xshare:on"));
            command.addAll(vmOptions(config));
            command.add("-version");
            Proc.Result result = Proc.run(Duration.ofSeconds(60), command);
            assertEquals(0, result.exit(), config.getFileName() + ": -Xshare:on refused: " + result.describe());
            assertTrue(result.stderr().contains("sharing"), config.getFileName() + ": " + result.describe());
        }
    }

    /** The launcher's -X and -XX options: the ones that decide whether an archive fits (heap, GC, layout). */
    private static List<String> vmOptions(Path config) throws IOException {
        String prefix = "java-options=";
        return Files.readAllLines(config).stream()
            .filter(line -> line.startsWith(prefix))
            .map(line -> line.substring(prefix.length()))
            .filter(option -> option.startsWith("-X") && !option.startsWith("-Xlog"))
            .toList();
    }
}
