package io.tapvsock.itests.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * OpenSSH's sshd for a namespace guest: its own host key, a client key pair made here (authorized for every user,
 * root included) and a config that allows {@code direct-streamlocal} channels. {@link #prepare} makes the keys and
 * config (before the daemon starts, so it can be given the identity); {@link #startIn} runs {@code sshd -D} in
 * the guest's namespace, killed (with its session processes) by pid when the test ends.
 */
public final class GuestSshd implements AutoCloseable {

    private final Path sshd;
    private final Path config;
    private final Path identity;
    private NetNs ns;
    private Process process;

    private GuestSshd(Path sshd, Path config, Path identity) {
        this.sshd = sshd;
        this.config = config;
        this.identity = identity;
    }

    /** Keys and config in the test's work directory; skips (fails in CI) without sshd or ssh-keygen. */
    public static GuestSshd prepare(Harness harness) throws IOException {
        Path sshd = Require.executable("sshd");
        Path keygen = Require.executable("ssh-keygen");
        Path work = harness.workDir();
        Path hostKey = work.resolve("host_key");
        Path identity = work.resolve("id_ed25519");
        for (Path key : List.of(hostKey, identity)) {
            Proc.run(Duration.ofSeconds(30), keygen.toString(), "-q", "-t", "ed25519", "-N", "", "-f", key.toString())
                    .requireSuccess();
        }
        Path authorizedKeys = Files.copy(work.resolve("id_ed25519.pub"), work.resolve("authorized_keys"));
        Path config = Files.writeString(work.resolve("sshd_config"), String.join("\n",
                "Port 22", "ListenAddress 0.0.0.0", "HostKey " + hostKey, "AuthorizedKeysFile " + authorizedKeys,
                "PidFile none", "UsePAM no", "StrictModes no", "PermitRootLogin prohibit-password",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "AllowStreamLocalForwarding yes",
                "LogLevel VERBOSE", ""));
        privilegeSeparationDirectory(harness);
        return harness.register(new GuestSshd(sshd, config, identity));
    }

    /** The client's private key (ed25519, no passphrase), authorized by this sshd. */
    public Path identity() {
        return identity;
    }

    /** Starts sshd in the guest's namespace. */
    public void startIn(NetNs guestNs) {
        this.ns = guestNs;
        start();
    }

    /** Starts sshd again in the namespace of {@link #startIn}, e.g. after {@link #kill}. */
    public void start() {
        process = ns.start("sshd", List.of(sshd.toString(), "-D", "-e", "-f", config.toString()));
    }

    /** Kills sshd and its session processes (the SSH sessions drop). */
    public void kill() throws InterruptedException {
        if (process != null) {
            Proc.killTree(process.toHandle());
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** sshd refuses to start without its privilege separation directory, which a fresh system may lack. */
    private static void privilegeSeparationDirectory(Harness harness) throws IOException {
        Path dir = Path.of("/run/sshd");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            harness.register(() -> Files.deleteIfExists(dir));
        }
    }
}
