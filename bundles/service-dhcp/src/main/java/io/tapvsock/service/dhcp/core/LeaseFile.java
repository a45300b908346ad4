package io.tapvsock.service.dhcp.core;

import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The lease table on disk, one record per line:
 * <pre>
 * 192.168.127.3 5a:94:ef:e4:0c:01 bound 2026-05-01T10:00:00Z
 * 192.168.127.9 declined 2026-05-01T09:10:00Z
 * </pre>
 * Written whole to a temporary file that is then renamed over the old one, so a reader (or a daemon killed
 * with SIGKILL half-way) sees either the old table or the new one. No fsync: the page cache outlives a killed
 * process, and a power cut losing the last change costs a guest at most a new address.
 */
public final class LeaseFile {

    private static final System.Logger LOG = System.getLogger(LeaseFile.class.getName());
    private static final String HEADER = "# tapvsock DHCP leases: address mac state until | address declined until";
    private static final String DECLINED = "declined";

    private final Path path;

    public LeaseFile(Path path) {
        this.path = path;
    }

    public Path path() {
        return path;
    }

    /** What the file holds. */
    public record Contents(List<Lease> leases, SortedMap<Ipv4Address, Instant> declined) {
        public static final Contents EMPTY = new Contents(List.of(), new TreeMap<>());
    }

    /** Reads the file; a missing file is empty, a line that does not parse is logged and skipped. */
    public Contents read() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Contents.EMPTY;
        }
        List<Lease> leases = new ArrayList<>();
        SortedMap<Ipv4Address, Instant> declined = new TreeMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            try {
                String[] fields = line.split("\\s+");
                if (fields.length == 3 && fields[1].equals(DECLINED)) {
                    declined.put(Ipv4Address.parse(fields[0]), Instant.parse(fields[2]));
                } else if (fields.length == 4) {
                    leases.add(new Lease(Ipv4Address.parse(fields[0]), MacAddress.parse(fields[1]),
                            Lease.State.valueOf(fields[2].toUpperCase(Locale.ROOT)), Instant.parse(fields[3])));
                } else {
                    throw new IllegalArgumentException("want 'address mac state until' or 'address declined until'");
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "lease file {0} line {1} skipped: {2}", path, Integer.toString(i + 1), e.getMessage());
            }
        }
        return new Contents(leases, declined);
    }

    /** Replaces the file with these records. */
    public void write(Collection<Lease> leases, Map<Ipv4Address, Instant> declined) throws IOException {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (Lease lease : leases) {
            text.append(lease.address()).append(' ').append(lease.mac()).append(' ')
                    .append(lease.state().name().toLowerCase(Locale.ROOT)).append(' ').append(lease.until()).append('\n');
        }
        declined.forEach((address, until) ->
                text.append(address).append(' ').append(DECLINED).append(' ').append(until).append('\n'));
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Path temp = path.resolveSibling(path.getFileName() + ".tmp");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
