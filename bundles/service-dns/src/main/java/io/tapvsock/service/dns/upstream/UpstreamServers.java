package io.tapvsock.service.dns.upstream;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Where queries go: a configured list, or the host's resolv.conf, read again when it changes (its modification
 * time or size differ), looked at no more than once per {@link #RECHECK_NANOS} so a burst of queries costs one
 * stat. Network loop only.
 */
public final class UpstreamServers {

    private static final System.Logger LOG = System.getLogger(UpstreamServers.class.getName());

    static final long RECHECK_NANOS = 1_000_000_000L;

    private final List<InetSocketAddress> configured;
    private final Path resolvConf;
    private final LongSupplier nanoTime;

    private List<InetSocketAddress> fromFile = List.of();
    private Object fileStamp;
    private long checkedAt;
    private boolean checkedOnce;
    private boolean unreadableLogged;

    /**
     * @param configured used when not empty; otherwise the nameservers of {@code resolvConf}
     * @param nanoTime the clock that spaces the checks of the file
     */
    public UpstreamServers(List<InetSocketAddress> configured, Path resolvConf, LongSupplier nanoTime) {
        this.configured = List.copyOf(configured);
        this.resolvConf = resolvConf;
        this.nanoTime = nanoTime;
    }

    /** The servers to try, in order. */
    public List<InetSocketAddress> current() {
        if (!configured.isEmpty()) {
            return configured;
        }
        long now = nanoTime.getAsLong();
        if (!checkedOnce || now - checkedAt >= RECHECK_NANOS) {
            checkedOnce = true;
            checkedAt = now;
            reread();
        }
        return fromFile;
    }

    private void reread() {
        try {
            BasicFileAttributes attributes = Files.readAttributes(resolvConf, BasicFileAttributes.class);
            Object stamp = List.of(attributes.lastModifiedTime(), attributes.size(),
                    String.valueOf(attributes.fileKey()));
            if (Objects.equals(stamp, fileStamp)) {
                return;
            }
            fileStamp = stamp;
            fromFile = ResolvConf.nameservers(Files.readAllLines(resolvConf));
            unreadableLogged = false;
            LOG.log(Level.INFO, "DNS upstream servers from {0}: {1}", resolvConf, fromFile);
        } catch (IOException e) {
            if (!unreadableLogged) {
                unreadableLogged = true;
                LOG.log(Level.WARNING, "cannot read " + resolvConf + ": " + e + "; forwarded queries get SERVFAIL"
                        + " until it can be read");
            }
            fileStamp = null;
            fromFile = List.of();
        }
    }
}
