package io.tapvsock.service.dhcp;

import io.tapvsock.service.dhcp.core.LeaseEntry;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo shell: {@code tapvsock:leases} prints one line per lease: address, MAC, kind, expiry. */
@Component(service = Object.class,
        property = {"osgi.command.scope=tapvsock", "osgi.command.function=leases"})
public final class LeasesCommand {

    private final DhcpLeases leases;

    @Activate
    public LeasesCommand(@Reference(name = "leases") DhcpLeases leases) {
        this.leases = leases;
    }

    public String leases() {
        StringBuilder text = new StringBuilder();
        for (LeaseEntry entry : leases.leases()) {
            text.append(String.format(Locale.ROOT, "%-15s  %s  %-7s  %s%n", entry.address(), entry.mac(),
                    entry.kind().name().toLowerCase(Locale.ROOT),
                    entry.expires() == null ? "-" : "until " + entry.expires()));
        }
        return text.toString();
    }
}
