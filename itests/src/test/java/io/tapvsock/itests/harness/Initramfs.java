package io.tapvsock.itests.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * A busybox-static initramfs with the virtio-net modules of the installed Debian kernel. The base archive
 * (busybox, modules, device nodes, the udhcpc script) is built once and cached; each boot appends a small archive
 * holding the test's {@code /init}.
 */
public final class Initramfs {
    /** insmod order: each module depends only on the ones before it. */
    public static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_legacy_dev",
        "virtio_pci_modern_dev", "virtio_pci", "failover", "net_failover", "virtio_net");

    private Initramfs() {
    }

    /** A kernel image and the module directory of the same version. */
    public record Kernel(Path image, Path modules, String version) {
    }

    /** The newest {@code /boot/vmlinuz-*} whose {@code /lib/modules/<version>} has virtio_net. */
    public static Optional<Kernel> findKernel() {
        try (Stream<Path> boot = Files.list(Path.of("/boot"))) {
            return boot.filter(p -> p.getFileName().toString().startsWith("vmlinuz-"))
                .filter(Files::isReadable)
                .map(p -> {
                    String version = p.getFileName().toString().substring("vmlinuz-".length());
                    return new Kernel(p, Path.of("/lib/modules", version), version);
                })
                .filter(k -> findModule(k.modules(), "virtio_net").isPresent())
                .max((a, b) -> a.version().compareTo(b.version()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The cached base archive for {@code kernel}, built on first use. */
    public static synchronized Path base(Kernel kernel, Path busybox, Path cacheDir) {
        Path cached = cacheDir.resolve("initramfs-base-" + kernel.version() + ".cpio");
        if (Files.exists(cached)) {
            return cached;
        }
        try {
            Files.createDirectories(cacheDir);
            Path partial = Files.createTempFile(cacheDir, "initramfs-", ".partial");
            try (OutputStream out = Files.newOutputStream(partial); CpioArchive cpio = new CpioArchive(out)) {
                for (String dir : List.of("bin", "dev", "etc", "lib", "lib/mods", "proc", "sys", "tmp", "root")) {
                    cpio.directory(dir);
                }
                cpio.charDevice("dev/console", 5, 1);
                cpio.charDevice("dev/null", 1, 3);
                cpio.charDevice("dev/urandom", 1, 9);
                cpio.file("bin/busybox", 0755, Files.readAllBytes(busybox));
                cpio.symlink("bin/sh", "busybox");
                cpio.file("etc/udhcpc.sh", 0755, Lease.SCRIPT.getBytes(StandardCharsets.UTF_8));
                for (int i = 0; i < MODULES.size(); i++) {
                    String name = MODULES.get(i);
                    Path module = findModule(kernel.modules(), name).orElseThrow(
                        () -> new AssertionError("module " + name + " not found under " + kernel.modules()));
                    cpio.file(String.format("lib/mods/%02d-%s.ko", i, name), 0644, decompress(module, busybox));
                }
            }
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the initramfs in " + cacheDir, e);
        }
    }

    /** Writes base + an archive with {@code /init} = {@code init} to {@code target}. */
    public static Path withInit(Path base, String init, Path target) {
        try (OutputStream out = Files.newOutputStream(target)) {
            Files.copy(base, out);
            try (CpioArchive cpio = new CpioArchive(out)) {
                cpio.file("init", 0755, init.getBytes(StandardCharsets.UTF_8));
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** {@code <name>.ko} in any of the compressed forms Debian uses, anywhere under {@code <modules>/kernel}. */
    static Optional<Path> findModule(Path modules, String name) {
        Path kernelDir = modules.resolve("kernel");
        if (!Files.isDirectory(kernelDir)) {
            return Optional.empty();
        }
        List<String> names = List.of(name + ".ko", name + ".ko.xz", name + ".ko.zst", name + ".ko.gz");
        try (Stream<Path> walk = Files.walk(kernelDir)) {
            return walk.filter(p -> names.contains(p.getFileName().toString())).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] decompress(Path module, Path busybox) throws IOException {
        String file = module.getFileName().toString();
        if (file.endsWith(".ko")) {
            return Files.readAllBytes(module);
        }
        if (file.endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(module))) {
                return in.readAllBytes();
            }
        }
        // The JDK has no xz or zstd decoder: busybox has xz; zstd needs the zstd tool.
        List<String> command = file.endsWith(".xz")
            ? List.of(busybox.toString(), "xz", "-dc", module.toString())
            : List.of("zstd", "-dc", module.toString());
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(out);
        }
        try {
            if (!process.waitFor(Duration.ofSeconds(30).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                || process.exitValue() != 0) {
                throw new IOException("cannot decompress " + module + " with " + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.toByteArray();
    }
}
