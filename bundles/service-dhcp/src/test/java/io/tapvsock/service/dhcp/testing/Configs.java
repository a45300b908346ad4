package io.tapvsock.service.dhcp.testing;

import io.tapvsock.service.dhcp.core.DhcpConfig;
import io.tapvsock.service.dhcp.wire.DomainSearchList;
import java.nio.file.Path;

/** Configurations that do not depend on the machine the tests run on (the host's resolv.conf stays unread). */
public final class Configs {

    private Configs() {
    }

    /** gvproxy's defaults without search domains, keeping leases in {@code leaseFile} (null: memory only). */
    public static DhcpConfig withoutSearchDomains(Path leaseFile) {
        return new DhcpConfig(DhcpConfig.DEFAULT_LEASE_SECONDS, null, DomainSearchList.EMPTY, leaseFile,
                Path.of(DhcpConfig.DEFAULT_RESOLV_CONF));
    }

    /** Search domains taken from {@code resolvConf}, as when none are configured. */
    public static DhcpConfig searchDomainsFrom(Path resolvConf) {
        return new DhcpConfig(DhcpConfig.DEFAULT_LEASE_SECONDS, null, null, null, resolvConf);
    }
}
