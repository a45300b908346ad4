package io.tapvsock.itests.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux VM under QEMU's TCG with one virtio-net NIC, booted from the Debian kernel and a busybox initramfs.
 * The test supplies the body of {@code /init}; it talks back through marker lines on the serial console, which
 * {@link #await} reads with a deadline. The VM powers off after the body; {@link #close} always kills QEMU.
 */
public final class QemuGuest implements AutoCloseable {
    /** The guest MAC that the daemon's static lease maps to 192.168.127.2. */
    public static final String GUEST_MAC = "5a:94:ef:e4:0c:ee";

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private int cursor;
    private boolean exited;

    private QemuGuest(Process process) {
        this.process = process;
        Thread.ofVirtual().name("qemu-console").start(this::readConsole);
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
        try {
            Process process = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true)
                .start();
            return new QemuGuest(process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
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

    private void readConsole() {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                synchronized (this) {
                    lines.add(line.replace("\r", ""));
                    notifyAll();
                }
            }
        } catch (IOException e) {
            // QEMU was killed; whatever was read stays in the transcript
        } finally {
            synchronized (this) {
                exited = true;
                notifyAll();
            }
        }
    }

    /**
     * Waits for the next console line (after the previous match) that contains a match of {@code pattern};
     * fails with the console transcript if the VM exits or the deadline passes first.
     */
    public synchronized Matcher await(Pattern pattern, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (; cursor < lines.size(); cursor++) {
                Matcher matcher = pattern.matcher(lines.get(cursor));
                if (matcher.find()) {
                    cursor++;
                    return matcher;
                }
            }
            long left = deadline - System.nanoTime();
            if (exited || left <= 0) {
                throw new AssertionError((exited ? "guest console ended" : "timed out after " + timeout)
                    + " waiting for /" + pattern + "/\n--- guest console ---\n" + transcript());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Everything the VM printed so far. */
    public synchronized String transcript() {
        return String.join("\n", lines);
    }

    /** Kills QEMU (it is ours) and waits for it. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
