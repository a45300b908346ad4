package io.tapvsock.service.sshforward.ssh;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client starts MINA at its first session, so one closed before any session refuses later ones. */
class GuestSshClientTest {

    @TempDir
    Path dir;

    @Test
    void closedBeforeItsFirstSession_refusesToConnect() throws Exception {
        Path key = dir.resolve("id_ed25519");
        Process keygen = new ProcessBuilder("/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                key.toString()).inheritIO().start();
        assertTrue(keygen.waitFor() == 0 && Files.isRegularFile(key), "ssh-keygen made no key");
        GuestSshClient client = new GuestSshClient(null, () -> new InetSocketAddress(0));
        client.close();
        client.close(); // twice is fine
        SshTarget target = new SshTarget(new InetSocketAddress("192.168.127.2", 22), "core", key);
        IOException refused = assertThrows(IOException.class, () -> client.connect(target, Duration.ofSeconds(1)));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }
}
