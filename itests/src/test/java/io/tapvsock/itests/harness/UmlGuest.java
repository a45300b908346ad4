package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A User Mode Linux guest (Debian's {@code linux.uml}) whose one NIC, {@code vec0}, is a bess connection
 * (SOCK_SEQPACKET, one frame per message) to the daemon's {@code -listen-bess} socket. The host's own file system
 * is its root (hostfs, read-only), so the init script and the udhcpc script live in the test's work directory and
 * the host's binaries run in it; the guest's network tools are busybox's. The test supplies the body of the init
 * script, which talks back through marker lines on the console ({@link #await}); the guest powers off after the
 * body, and {@link #close} always kills UML and its helper processes.
 *
 * <p>Found by trying it here: UML connects to the socket when {@code vec0} is brought up, and leaves when it
 * halts; mounting a tmpfs over /tmp inside the guest would hide the work directory, so nothing is mounted there.
 */
public final class UmlGuest extends ConsoleGuest {

    private UmlGuest(Process process) {
        super(process, "uml-console");
    }

    /**
     * Boots UML with {@code vec0} on the bess socket {@code bessSocket}; its init brings up lo and {@code vec0},
     * prints {@code MARK booted <mac>}, then runs {@code initBody}, in which {@code $B} is busybox and
     * {@code $UDHCPC_SCRIPT} the udhcpc event script ({@link Lease#SCRIPT}). Needs linux.uml and busybox-static.
     */
    public static UmlGuest boot(Path workDir, Path bessSocket, String initBody) {
        Path uml = Require.executable("linux.uml");
        Path busybox = Require.executable("busybox");
        Path dir = workDir.resolve("uml");
        Path init = dir.resolve("init.sh");
        try {
            Files.createDirectories(dir);
            Path udhcpcScript = Lease.writeScript(dir);
            Files.writeString(init, init(busybox, udhcpcScript, initBody));
            Files.setPosixFilePermissions(init, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = List.of(uml.toString(),
            "vec0:transport=bess,dst=" + bessSocket + ",depth=128,mac=" + GUEST_MAC,
            "root=/dev/root", "rootfstype=hostfs", "rootflags=/", "init=" + init,
            "mem=128M", "con=null", "con0=fd:0,fd:1", "uml_dir=" + dir);
        return new UmlGuest(start(command, dir.toFile()));
    }

    /** The whole init script: mounts, lo and vec0 up, the test's body, power off. */
    static String init(Path busybox, Path udhcpcScript, String body) {
        return """
            #!/bin/sh
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            B=%s
            UDHCPC_SCRIPT=%s
            $B mount -t proc proc /proc
            $B mount -t sysfs sys /sys
            $B ip link set lo up
            $B ip link set vec0 up
            echo "MARK booted $($B cat /sys/class/net/vec0/address 2>/dev/null)"
            """.formatted(busybox, udhcpcScript) + body + """

            echo "MARK end"
            $B poweroff -f
            """;
    }

    /** Kills UML and the helper processes it started. */
    @Override
    protected void kill() {
        Proc.killTree(process.toHandle());
    }
}
