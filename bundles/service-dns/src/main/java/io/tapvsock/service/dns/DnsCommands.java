package io.tapvsock.service.dns;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.service.dns.core.Zone;
import io.tapvsock.service.dns.core.ZoneRecord;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo shell, scope tapvsock:
 * <ul>
 * <li>{@code dnszones}: every zone and record, in lookup order;</li>
 * <li>{@code dnsadd ZONE NAME IP}: a record, first in its zone so it wins (the zone is made if new);</li>
 * <li>{@code dnsaddregexp ZONE REGEXP IP}: a record matched by a regular expression;</li>
 * <li>{@code dnsdefault ZONE IP|none}: the zone's DefaultIP;</li>
 * <li>{@code dnsremove ZONE} and {@code dnsremove ZONE NAME}: a zone, or the records of a name or regexp.</li>
 * </ul>
 * Errors come back as text starting with "error:"; nothing changes then.
 */
@Component(service = Object.class, property = {"osgi.command.scope=tapvsock",
        "osgi.command.function=dnszones", "osgi.command.function=dnsadd", "osgi.command.function=dnsaddregexp",
        "osgi.command.function=dnsdefault", "osgi.command.function=dnsremove"})
public final class DnsCommands {

    private final DnsZoneRegistry registry;

    @Activate
    public DnsCommands(@Reference(name = "zones") DnsZoneRegistry registry) {
        this.registry = registry;
    }

    public String dnszones() {
        StringBuilder text = new StringBuilder();
        for (Zone zone : registry.zones()) {
            text.append(zone.name()).append("  default ")
                    .append(zone.defaultIp() == null ? "none (NXDOMAIN)" : zone.defaultIp()).append('\n');
            for (ZoneRecord record : zone.records()) {
                String match = record.regexp() == null ? record.name()
                        : (record.name().isEmpty() ? "" : record.name() + " ") + "/" + record.regexpText() + "/";
                text.append(String.format(Locale.ROOT, "  %-30s  %s%n", match, record.ip()));
            }
        }
        return text.toString();
    }

    public String dnsadd(String zone, String name, String ip) {
        try {
            return add(zone, ZoneRecord.named(name, Ipv4Address.parse(ip)));
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
    }

    public String dnsaddregexp(String zone, String regexp, String ip) {
        try {
            return add(zone, new ZoneRecord("", Ipv4Address.parse(ip), Pattern.compile(regexp)));
        } catch (PatternSyntaxException e) {
            return "error: bad regexp \"" + regexp + "\": " + e.getDescription();
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
    }

    public String dnsdefault(String zone, String ip) {
        try {
            Ipv4Address address = ip.equalsIgnoreCase("none") ? null : Ipv4Address.parse(ip);
            Zone update = new Zone(zone, List.of(), address);
            registry.add(update);
            return "zone " + update.name() + " default " + (address == null ? "none" : address);
        } catch (IllegalArgumentException e) {
            return "error: " + e.getMessage();
        }
    }

    public String dnsremove(String zone) {
        return registry.removeZone(zone) ? "zone " + zone + " removed" : "error: no zone " + zone;
    }

    public String dnsremove(String zone, String name) {
        int removed = registry.removeRecord(zone, name);
        return removed > 0 ? removed + " record(s) removed from " + zone : "error: no record " + name + " in " + zone;
    }

    /** Unlike the API's add, the shell keeps the zone's DefaultIP. */
    private String add(String zoneName, ZoneRecord record) {
        Ipv4Address defaultIp = registry.zones().stream().filter(z -> z.sameName(zoneName)).findFirst()
                .map(Zone::defaultIp).orElse(null);
        Zone zone = new Zone(zoneName, List.of(record), defaultIp);
        registry.add(zone);
        return "added to " + zone.name() + ": " + (record.regexp() == null ? record.name() : "/" + record.regexpText()
                + "/") + " -> " + record.ip();
    }
}
