package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;

/** A fixed address for one MAC, configured as "ip=mac". */
public record StaticLease(Ipv4Address address, MacAddress mac) {

    /** Parses "192.168.127.2=5a:94:ef:e4:0c:ee"; an IllegalArgumentException quotes the entry. */
    public static StaticLease parse(String entry) {
        int eq = entry.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("entry \"" + entry + "\" is not ip=mac");
        }
        try {
            return new StaticLease(Ipv4Address.parse(entry.substring(0, eq)), MacAddress.parse(entry.substring(eq + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("entry \"" + entry + "\": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return address + "=" + mac;
    }
}
