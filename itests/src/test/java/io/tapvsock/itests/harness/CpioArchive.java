package io.tapvsock.itests.harness;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks as an initramfs (kernel documentation:
 * Documentation/driver-api/early-userspace/buffer-format.rst). Several archives may be concatenated; the kernel
 * unpacks them in order, so a cached base archive plus a small one holding {@code /init} makes an initramfs.
 */
public final class CpioArchive implements AutoCloseable {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;
    private static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private int nextInode = 1;
    private long written;

    /** Writes to {@code out}; {@link #close()} writes the trailer but does not close {@code out}. */
    public CpioArchive(OutputStream out) {
        this.out = out;
    }

    /** A directory entry. */
    public void directory(String path) throws IOException {
        entry(path, S_IFDIR | 0755, 2, 0, 0, new byte[0]);
    }

    /** A regular file with permission bits {@code mode} (e.g. 0755). */
    public void file(String path, int mode, byte[] content) throws IOException {
        entry(path, S_IFREG | mode, 1, 0, 0, content);
    }

    /** A symbolic link at {@code path} pointing to {@code target}. */
    public void symlink(String path, String target) throws IOException {
        entry(path, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** A character device node, so no mknod privilege is needed to build the archive. */
    public void charDevice(String path, int major, int minor) throws IOException {
        entry(path, S_IFCHR | 0600, 1, major, minor, new byte[0]);
    }

    private void entry(String path, int mode, int links, int rdevMajor, int rdevMinor, byte[] content)
        throws IOException {
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        String header = "070701"
            + hex(nextInode++) + hex(mode) + hex(0) + hex(0) + hex(links) + hex(0) // ino mode uid gid nlink mtime
            + hex(content.length) + hex(0) + hex(0) + hex(rdevMajor) + hex(rdevMinor) // size dev rdev
            + hex(name.length) + hex(0); // namesize check
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(name);
        pad();
        write(content);
        pad();
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    /** Header+name and data are each padded to a multiple of 4 bytes. */
    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    /** Writes the {@code TRAILER!!!} entry. */
    @Override
    public void close() throws IOException {
        entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
        out.flush();
    }
}
