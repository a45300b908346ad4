package io.tapvsock.service.dns.core;

import io.tapvsock.api.Ipv4Address;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One record of a local zone: a name (the part before the zone, e.g. "gateway") and/or a regular expression
 * over that part, and the address it resolves to.
 *
 * @param name "" when the record has only a regexp
 * @param regexp null when the record has only a name; matched anywhere in the name, as Go's MatchString
 */
public record ZoneRecord(String name, Ipv4Address ip, Pattern regexp) {

    public ZoneRecord {
        Objects.requireNonNull(ip, "IP");
        name = name == null ? "" : name;
        if (name.isEmpty() && regexp == null) {
            throw new IllegalArgumentException("a record needs a Name or a Regexp");
        }
    }

    public static ZoneRecord named(String name, Ipv4Address ip) {
        return new ZoneRecord(name, ip, null);
    }

    /**
     * @param prefix the query's name without the zone, lower case ("gateway")
     */
    public boolean matches(String prefix) {
        return !name.isEmpty() && name.toLowerCase(Locale.ROOT).equals(prefix)
                || regexp != null && regexp.matcher(prefix).find();
    }

    @Override
    public boolean equals(Object other) {
        // Pattern has identity equality: compare the expression text.
        return other instanceof ZoneRecord record && name.equals(record.name) && ip.equals(record.ip)
                && Objects.equals(regexpText(), record.regexpText());
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, ip, regexpText());
    }

    /** The regexp's source text, or null. */
    public String regexpText() {
        return regexp == null ? null : regexp.pattern();
    }
}
