package io.tapvsock.service.dhcp.core;

import io.tapvsock.service.dhcp.wire.DomainSearchList;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The host's search list, option 119 when none is configured (gvproxy does the same without -config): the
 * {@code search} and {@code domain} lines of a resolv.conf, read as resolv.conf(5) says (the two keywords
 * exclude each other and the last instance wins; {@code #} and {@code ;} start comments). The file is read
 * again when its modification time or size changes, so an edit reaches the next DHCP reply. A domain that is
 * not a valid DNS name is logged and left out. Not thread-safe: {@link DhcpServer} guards it.
 */
public final class HostSearchDomains {

    private static final System.Logger LOG = System.getLogger(HostSearchDomains.class.getName());

    private final Path file;
    private Object stamp;
    private DomainSearchList current = DomainSearchList.EMPTY;

    public HostSearchDomains(Path file) {
        this.file = file;
    }

    public Path file() {
        return file;
    }

    /** The list from the file as it is now; empty when the file is missing or unreadable. */
    public DomainSearchList current() {
        Object now = stampOf(file);
        if (!Objects.equals(now, stamp)) {
            stamp = now;
            current = read();
        }
        return current;
    }

    private DomainSearchList read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return DomainSearchList.EMPTY;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "DHCP: cannot read search domains from {0}: {1}", file, e.toString());
            return DomainSearchList.EMPTY;
        }
        List<String> domains = parse(lines);
        List<String> valid = new ArrayList<>();
        for (String domain : domains) {
            try {
                DomainSearchList.of(List.of(domain));
                valid.add(domain);
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "DHCP: search domain from {0} left out: {1}", file, e.getMessage());
            }
        }
        try {
            DomainSearchList list = DomainSearchList.of(valid);
            LOG.log(Level.DEBUG, "DHCP search domains from {0}: {1}", file, list);
            return list;
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "DHCP: search domains from {0} not sent: {1}", file, e.getMessage());
            return DomainSearchList.EMPTY;
        }
    }

    /** The domains of the last {@code search} or {@code domain} line, in order. */
    static List<String> parse(List<String> lines) {
        List<String> domains = List.of();
        for (String line : lines) {
            int comment = indexOfComment(line);
            String[] fields = (comment < 0 ? line : line.substring(0, comment)).trim().split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            if (fields[0].equals("search")) {
                domains = Arrays.asList(fields).subList(1, fields.length);
            } else if (fields[0].equals("domain")) {
                domains = List.of(fields[1]);
            }
        }
        return List.copyOf(domains);
    }

    private static int indexOfComment(String line) {
        int hash = line.indexOf('#');
        int semicolon = line.indexOf(';');
        return hash < 0 ? semicolon : semicolon < 0 ? hash : Math.min(hash, semicolon);
    }

    /** What tells one version of the file from another: modification time and size; null when missing. */
    private static Object stampOf(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            FileTime modified = attributes.lastModifiedTime();
            return List.of(modified, attributes.size());
        } catch (IOException e) {
            return null;
        }
    }
}
