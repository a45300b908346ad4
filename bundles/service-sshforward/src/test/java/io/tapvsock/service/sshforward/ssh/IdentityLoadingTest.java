package io.tapvsock.service.sshforward.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys as ssh-keygen writes them (podman machine's are ed25519), and a clear error for anything else. */
class IdentityLoadingTest {

    @TempDir
    Path dir;

    private List<KeyPair> load(Path key) throws IOException {
        return GuestSshClient.loadIdentity(new SshTarget(new InetSocketAddress("192.168.127.2", 22), "core", key));
    }

    private Path keygen(String type) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/ssh-keygen")), "ssh-keygen (openssh-client) is missing");
        Path key = dir.resolve("id_" + type);
        Process process = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", type, "-N", "", "-f", key.toString())
                .redirectErrorStream(true).start();
        assertEquals(0, process.waitFor(), new String(process.getInputStream().readAllBytes()));
        return key;
    }

    @Test
    void ed25519_ecdsa_and_rsa_keys_load() throws Exception {
        for (String type : List.of("ed25519", "ecdsa", "rsa")) {
            List<KeyPair> keys = load(keygen(type));
            assertEquals(1, keys.size(), type);
        }
    }

    @Test
    void a_file_that_is_not_a_key_is_an_error_naming_it() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk"), "not a key\n");
        IOException error = assertThrows(IOException.class, () -> load(junk));
        assertTrue(error.getMessage().startsWith("identity " + junk + ": "), error.getMessage());
    }

    @Test
    void a_missing_file_is_an_error_saying_so() {
        Path missing = dir.resolve("no-such-key");
        IOException error = assertThrows(IOException.class, () -> load(missing));
        assertEquals("identity " + missing + ": no such file", error.getMessage());
    }
}
