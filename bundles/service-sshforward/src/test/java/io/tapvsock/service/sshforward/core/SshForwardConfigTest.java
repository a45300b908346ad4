package io.tapvsock.service.sshforward.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshForwardConfigTest {

    @TempDir
    Path dir;

    private Map<String, Object> properties() throws Exception {
        Map<String, Object> properties = new HashMap<>();
        properties.put("socket", "unix://" + dir.resolve("p.sock"));
        properties.put("dest", "/run/podman/podman.sock");
        properties.put("user", "core");
        properties.put("identity", Files.writeString(dir.resolve("key"), "k").toString());
        return properties;
    }

    private String error(Map<String, Object> properties) {
        return assertThrows(IllegalArgumentException.class, () -> SshForwardConfig.fromProperties(properties))
                .getMessage();
    }

    @Test
    void a_unix_url_or_a_plain_path_names_the_socket() throws Exception {
        Map<String, Object> properties = properties();
        assertEquals(new SshForwardConfig(dir.resolve("p.sock"), "/run/podman/podman.sock", "core", dir.resolve("key")),
                SshForwardConfig.fromProperties(properties));
        properties.put("socket", dir.resolve("p.sock").toString());
        assertEquals(dir.resolve("p.sock"), SshForwardConfig.fromProperties(properties).socket());
    }

    @Test
    void every_error_names_its_key() throws Exception {
        Map<String, Object> properties = properties();
        properties.remove("dest");
        assertEquals("dest: missing", error(properties));
        properties = properties();
        properties.put("user", " ");
        assertEquals("user: missing", error(properties));
        properties = properties();
        properties.put("identity", dir.resolve("nope").toString());
        assertEquals("identity: " + dir.resolve("nope") + ": no such file", error(properties));
        properties = properties();
        properties.put("socket", "npipe:////./pipe/x");
        assertEquals("socket: npipe:////./pipe/x: only unix:// sockets are supported", error(properties));
        properties.put("socket", "relative.sock");
        assertEquals("socket: relative.sock is not an absolute path", error(properties));
    }
}
