package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tapvsock.api.NetworkSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkFlagsTest {

    @TempDir
    Path dir;

    private Path noFile() {
        return dir.resolve("absent.cfg");
    }

    private String error(Map<String, String> flags, Path file) {
        return assertThrows(FlagException.class, () -> NetworkFlags.validate(flags, file)).getMessage();
    }

    @Test
    void defaults_without_flags_or_file() throws Exception {
        assertEquals(NetworkSettings.defaults(), NetworkFlags.validate(Map.of(), noFile()));
    }

    @Test
    void flags_are_applied() throws Exception {
        NetworkSettings settings = NetworkFlags.validate(Map.of("subnet", "10.1.2.0/24", "mtu", "9000"), noFile());
        assertEquals("10.1.2.0/24", settings.subnet().toString());
        assertEquals("10.1.2.1", settings.gatewayIp().toString());
        assertEquals(9000, settings.mtu());
    }

    @Test
    void a_bad_value_names_the_flag() {
        assertTrue(error(Map.of("mtu", "20"), noFile()).startsWith("invalid -mtu: "));
        assertTrue(error(Map.of("mtu", "x"), noFile()).startsWith("invalid -mtu: "));
        assertTrue(error(Map.of("gatewayIP", "10.0.0.1"), noFile()).startsWith("invalid -gatewayIP: "));
        assertTrue(error(Map.of("subnet", "nonsense"), noFile()).startsWith("invalid -subnet: "));
        assertTrue(error(Map.of("ec2MetadataAccess", "maybe"), noFile()).startsWith("invalid -ec2-metadata-access: "));
    }

    @Test
    void a_clash_with_a_derived_default_names_the_flags_given() {
        // -gatewayIP at .2 collides with the default device address .2.
        String message = error(Map.of("gatewayIP", "192.168.127.2"), noFile());
        assertTrue(message.startsWith("invalid network flags (-gatewayIP): deviceIP: "), message);
    }

    @Test
    void flags_win_over_the_file() throws Exception {
        Path file = Files.writeString(dir.resolve("io.tapvsock.network.cfg"), "# comment\nmtu = 4000\nsubnet=10.9.0.0/24\n");
        NetworkSettings settings = NetworkFlags.validate(Map.of("mtu", "1400"), file);
        assertEquals(1400, settings.mtu());
        assertEquals("10.9.0.0/24", settings.subnet().toString());
    }

    @Test
    void a_bad_file_value_names_the_file_and_field() throws Exception {
        Path file = Files.writeString(dir.resolve("io.tapvsock.network.cfg"), "hostIP = 10.0.0.9\n");
        String message = error(Map.of(), file);
        assertTrue(message.startsWith("invalid hostIP in " + file + ": "), message);
    }

    @Test
    void the_shipped_default_file_is_all_defaults() throws Exception {
        Path shipped = Path.of("../config/io.tapvsock.network.cfg");
        if (Files.exists(shipped)) {
            assertEquals(Map.of(), NetworkFlags.readConfigFile(shipped));
            assertEquals(NetworkSettings.defaults(), NetworkFlags.validate(Map.of(), shipped));
        }
    }
}
