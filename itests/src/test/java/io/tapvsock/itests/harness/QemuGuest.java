package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A Linux VM under QEMU's TCG with one virtio-net NIC, booted from the Debian kernel and a busybox initramfs.
 * The test supplies the body of {@code /init}; it talks back through marker lines on the serial console, which
 * {@link #await} reads with a deadline. The VM powers off after the body; {@link #close} always kills QEMU.
 */
public final class QemuGuest extends ConsoleGuest {

    private QemuGuest(Process process) {
        super(process, "qemu-console");
    }

    /** {@code -netdev} value for a stream connection to the unix socket {@code socket} (qemu framing). */
    public static String streamNetdev(Path socket) {
        return "stream,id=n0,server=off,addr.type=unix,addr.path=" + socket;
    }

    /**
     * Boots a VM whose NIC uses {@code netdev} (with {@code id=n0}) and whose {@code /init} runs {@code initBody}
     * after loading the virtio-net modules and waiting for {@code eth0}. Needs qemu, busybox and a Debian kernel.
     */
    public static QemuGuest boot(Path workDir, String netdev, String initBody) {
        return boot(workDir, netdev, initBody, List.of());
    }

    /**
     * Like {@link #boot(Path, String, String)}, with QEMU started through {@code launcher}, a command that takes
     * QEMU's command line as its arguments (bin/qemu-wrapper SOCKET).
     */
    public static QemuGuest boot(Path workDir, String netdev, String initBody, List<String> launcher) {
        Path qemu = Require.executable("qemu-system-x86_64");
        Path busybox = busybox();
        Initramfs.Kernel kernel = Initramfs.findKernel().orElse(null);
        Require.that(kernel != null, "no readable /boot/vmlinuz-* with virtio_net under /lib/modules/<version>"
            + " (install linux-image-amd64)");
        Path cache = Path.of(System.getProperty("tapvsock.itests.cache", "target/guest-cache"));
        Path base = Initramfs.base(kernel, busybox, cache);
        Path initrd = Initramfs.withInit(base, init(initBody), workDir.resolve("initramfs.cpio"));
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(qemu.toString(),
            "-accel", "tcg", "-m", "256", "-smp", "1",
            "-kernel", kernel.image().toString(), "-initrd", initrd.toString(),
            "-append", "console=ttyS0 quiet panic=-1",
            "-nographic", "-no-reboot",
            "-netdev", netdev,
            "-device", "virtio-net-pci,netdev=n0,mac=" + GUEST_MAC + ",romfile="));
        return new QemuGuest(start(command, null));
    }

    /** Debian's busybox-static (a dynamically linked busybox would not run in the initramfs). */
    static Path busybox() {
        Path busybox = Require.executable("busybox");
        try {
            byte[] head = java.nio.file.Files.readAllBytes(busybox);
            Require.that(!new String(head, StandardCharsets.ISO_8859_1).contains("/lib64/ld-linux"),
                busybox + " is dynamically linked (install busybox-static)");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return busybox;
    }

    /** The whole {@code /init}: mounts, modules, {@code eth0} up, the test's body, power off. */
    static String init(String body) {
        return """
            #!/bin/sh
            /bin/busybox --install -s /bin
            export PATH=/bin
            mount -t proc proc /proc
            mount -t sysfs sys /sys
            for m in /lib/mods/*.ko; do insmod "$m" || echo "MARK insmod-failed $m"; done
            ip link set lo up
            n=0
            while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
            ip link set eth0 up
            echo "MARK booted $(cat /sys/class/net/eth0/address 2>/dev/null)"
            """ + body + """

            echo "MARK end"
            poweroff -f
            """;
    }

    /** Kills QEMU (it starts no helpers). */
    @Override
    protected void kill() {
        process.destroyForcibly();
    }
}
