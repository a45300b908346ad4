package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DHCP lease as busybox {@code udhcpc} reported it to its event script: the script applies the lease to the
 * interface and prints one {@code LEASE key=value ...} line with the environment udhcpc gave it.
 */
public record Lease(String ip, String subnet, String router, String dns, String mtu) {
    /** The udhcpc event script; works with iproute2 (namespace) and busybox's {@code ip} (QEMU guest). */
    public static final String SCRIPT = """
        #!/bin/sh
        # udhcpc event script for the tapvsock itests: apply the lease, print what the server sent.
        case "$1" in
          deconfig)
            ip addr flush dev "$interface"
            ip link set dev "$interface" up
            ;;
          bound|renew)
            ip addr flush dev "$interface"
            ip addr add "$ip/${mask:-24}" dev "$interface"
            if [ -n "$mtu" ]; then ip link set dev "$interface" mtu "$mtu"; fi
            if [ -n "$router" ]; then ip route replace default via "${router%% *}" dev "$interface"; fi
            echo "LEASE ip=$ip subnet=$subnet router=$router dns=$dns mtu=$mtu"
            ;;
        esac
        exit 0
        """;

    /** Matches the script's output line. */
    public static final Pattern LINE = Pattern.compile("LEASE (ip=.*)");

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S*(?: \\d+\\.\\d+\\.\\d+\\.\\d+)*)");

    /** Writes {@link #SCRIPT} as an executable file in {@code dir}. */
    public static Path writeScript(Path dir) {
        try {
            Path script = dir.resolve("udhcpc.sh");
            Files.writeString(script, SCRIPT);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lease printed somewhere in {@code output}, if any. */
    public static Optional<Lease> find(String output) {
        Matcher line = LINE.matcher(output);
        return line.find() ? Optional.of(parse(line.group(1))) : Optional.empty();
    }

    /** Parses the {@code key=value} part of a {@code LEASE} line. */
    public static Lease parse(String fields) {
        Map<String, String> values = new HashMap<>();
        Matcher field = FIELD.matcher(fields.trim());
        while (field.find()) {
            values.put(field.group(1), field.group(2).trim());
        }
        return new Lease(values.getOrDefault("ip", ""), values.getOrDefault("subnet", ""),
            values.getOrDefault("router", ""), values.getOrDefault("dns", ""), values.getOrDefault("mtu", ""));
    }
}
