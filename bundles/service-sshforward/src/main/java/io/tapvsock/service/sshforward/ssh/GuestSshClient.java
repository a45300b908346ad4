package io.tapvsock.service.sshforward.ssh;

import io.tapvsock.api.GuestTcpConnector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * An Apache MINA SSHD client whose TCP connections are opened by the virtual network into the guest (see
 * {@link GuestIoConnector}). One per bundle; sessions are made by {@link #connect} and kept by
 * {@link SshSessionKeeper}.
 *
 * <p>Host keys are not checked, as gvproxy does not check them (its default {@code InsecureIgnoreHostKey}): the
 * guest is our own VM on a network only this daemon carries, and its host key is usually made at its first boot,
 * after the forward was configured.
 */
public final class GuestSshClient implements AutoCloseable {

    /** Keepalives: a guest that vanished (VM killed) is noticed within about a minute, then reconnected. */
    private static final Duration HEARTBEAT = Duration.ofSeconds(15);
    private static final Duration HEARTBEAT_REPLY_WAIT = Duration.ofSeconds(10);
    private static final int HEARTBEAT_MISSES = 3;

    private final GuestTcpConnector connector;
    private final Supplier<InetSocketAddress> source;
    /**
     * Made at the first session, not with the bundle: MINA's setup (registering its security providers) took most
     * of a second of the daemon's start, and most daemons never open an SSH forward.
     */
    private SshClient client;
    private boolean closed;

    /**
     * @param source the address the guest sees SSH connections come from (the host IP, as for a forwarded
     *               loopback client), read per connection
     */
    public GuestSshClient(GuestTcpConnector connector, Supplier<InetSocketAddress> source) {
        this.connector = connector;
        this.source = source;
    }

    private synchronized SshClient started() throws IOException {
        if (closed) {
            throw new IOException("the SSH client is closed");
        }
        if (client == null) {
            client = newClient();
        }
        return client;
    }

    private SshClient newClient() {
        SshClient ssh = SshClient.setUpDefaultClient();
        ssh.setIoServiceFactoryFactory(GuestIoServiceFactory.factoryFactory(connector, source));
        ssh.setServerKeyVerifier((session, remote, key) -> true); // see the class comment
        ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY); // never the daemon user's ~/.ssh/config
        ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER); // only the configured identity
        // A forward's session may stay idle for hours: it ends when the guest goes, not after a quiet spell.
        CoreModuleProperties.IDLE_TIMEOUT.set(ssh, Duration.ZERO);
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(ssh, HEARTBEAT);
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(ssh, HEARTBEAT_REPLY_WAIT);
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(ssh, HEARTBEAT_MISSES);
        ssh.start();
        return ssh;
    }

    /**
     * Opens and authenticates one SSH session. Blocks up to about twice {@code timeout}: not on the network loop.
     *
     * @throws IOException when the guest does not answer, the key cannot be read, or authentication fails
     */
    public ClientSession connect(SshTarget target, Duration timeout) throws IOException {
        List<KeyPair> keys = loadIdentity(target);
        ClientSession session = started().connect(target.user(), target.address()).verify(timeout).getSession();
        try {
            keys.forEach(session::addPublicKeyIdentity);
            session.auth().verify(timeout);
            return session;
        } catch (IOException | RuntimeException e) {
            session.close(true);
            throw e;
        }
    }

    /** The identity's key pairs; the file is read again for each session (it may be replaced meanwhile). */
    public static List<KeyPair> loadIdentity(SshTarget target) throws IOException {
        // MINA only logs a file it cannot open and loads nothing: say why here.
        if (!Files.isRegularFile(target.identity())) {
            throw new IOException("identity " + target.identity() + ": no such file");
        }
        if (!Files.isReadable(target.identity())) {
            throw new IOException("identity " + target.identity() + ": not readable");
        }
        List<KeyPair> keys = new ArrayList<>();
        try {
            new FileKeyPairProvider(target.identity()).loadKeys(null).forEach(keys::add);
        } catch (RuntimeException e) {
            // MINA wraps key parsing errors (and a missing file) in unchecked exceptions.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IOException("identity " + target.identity() + ": " + cause.getMessage(), cause);
        }
        if (keys.isEmpty()) {
            throw new IOException("identity " + target.identity() + ": no private key in it");
        }
        return keys;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) {
            client.stop();
        }
    }
}
