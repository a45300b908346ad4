package io.tapvsock.service.dns.upstream;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The nameservers of a resolv.conf, read as glibc reads them (resolv.conf(5)): "nameserver ADDRESS" lines, at
 * most {@value #MAX_NAMESERVERS}, port 53; none at all means the local host (127.0.0.1), glibc's default.
 */
public final class ResolvConf {

    /** glibc's MAXNS. */
    public static final int MAX_NAMESERVERS = 3;
    public static final int PORT = 53;

    private ResolvConf() {
    }

    public static List<InetSocketAddress> nameservers(List<String> lines) {
        List<InetSocketAddress> servers = new ArrayList<>();
        for (String line : lines) {
            String[] words = line.trim().split("\\s+");
            if (words.length < 2 || !words[0].equals("nameserver") || servers.size() == MAX_NAMESERVERS) {
                continue;
            }
            InetAddress address = literal(words[1]);
            if (address != null) {
                servers.add(new InetSocketAddress(address, PORT));
            }
        }
        if (servers.isEmpty()) {
            servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT));
        }
        return List.copyOf(servers);
    }

    /** An address literal (IPv6 with a %scope allowed), or null: resolv.conf never names hosts. */
    static InetAddress literal(String text) {
        if (!text.matches("[0-9A-Fa-f:.]+(%[\\w.-]+)?")) {
            return null;
        }
        try {
            // A literal: getByName parses it without asking any resolver.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
