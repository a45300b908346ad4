package io.tapvsock.service.sshforward.core;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A listening unix socket of mode 0600 (gvproxy sets umask 0177 around its bind; a JVM has no umask of its own):
 * it is bound in a fresh directory of mode 0700 next to the wanted path, made 0600 there, and renamed into place,
 * so nobody else can connect at any moment. An existing socket file at the path is replaced, as gvproxy removes
 * it; any other kind of file is refused. On close the socket file is removed if it is still ours.
 */
public final class UnixSocketListener implements AutoCloseable {

    private static final long TIMEOUT_SECONDS = 10;
    /** sun_path holds 108 bytes with its terminating zero. */
    private static final int MAX_PATH_BYTES = 107;
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int SOCKET_TYPE = 0140000;

    private final Path path;
    private final Channel server;
    private final Object inode;

    private UnixSocketListener(Path path, Channel server, Object inode) {
        this.path = path;
        this.server = server;
        this.inode = inode;
    }

    /**
     * Binds on {@code loop}; accepted connections get {@code childHandler} and start with auto-read off.
     * Off the event loop (it waits for the bind).
     *
     * @throws IOException naming the path, when it cannot be used
     */
    public static UnixSocketListener open(EventLoop loop, Path path, ChannelHandler childHandler) throws IOException {
        if (!Epoll.isAvailable()) {
            throw new IOException("listen unix " + path + ": needs Netty's native epoll transport");
        }
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IOException("listen unix " + path + ": path longer than " + MAX_PATH_BYTES + " bytes");
        }
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && !isSocket(path)) {
            throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a socket: not replaced");
        }
        Path parent = path.toAbsolutePath().getParent();
        Path privateDir = parent.resolve(".tv-" + HexFormat.of().formatHex(randomBytes()));
        Path bindPath = privateDir.resolve("s");
        boolean viaPrivateDir = bindPath.toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
        Channel server;
        if (viaPrivateDir) {
            Files.createDirectory(privateDir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            try {
                server = bind(loop, bindPath, childHandler, path);
                try {
                    Files.setPosixFilePermissions(bindPath, PosixFilePermissions.fromString("rw-------"));
                    Files.move(bindPath, path, StandardCopyOption.ATOMIC_MOVE); // replaces a stale socket
                } catch (IOException e) {
                    server.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    throw e;
                }
            } finally {
                Files.deleteIfExists(bindPath);
                Files.deleteIfExists(privateDir);
            }
        } else {
            // No room for the private directory in sun_path: bind in place, then restrict (a short window in
            // which the process umask decides who may connect).
            Files.deleteIfExists(path);
            server = bind(loop, path, childHandler, path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        }
        return new UnixSocketListener(path, server, Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS));
    }

    private static Channel bind(EventLoop loop, Path bindPath, ChannelHandler childHandler, Path path)
            throws IOException {
        ChannelFuture bind = new ServerBootstrap().group(loop).channel(EpollServerDomainSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(childHandler)
                .bind(new DomainSocketAddress(bindPath.toString()));
        if (!bind.awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            bind.channel().close();
            throw new IOException("listen unix " + path + ": bind timed out");
        }
        if (!bind.isSuccess()) {
            throw new IOException("listen unix " + path + ": " + bind.cause().getMessage(), bind.cause());
        }
        return bind.channel();
    }

    private static boolean isSocket(Path path) throws IOException {
        int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        return (mode & FILE_TYPE_MASK) == SOCKET_TYPE;
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[4];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    public Path path() {
        return path;
    }

    /** Stops listening (open connections stay) and removes the socket file unless another took its place. */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        try {
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                    && Objects.equals(inode, Files.getAttribute(path, "unix:ino", LinkOption.NOFOLLOW_LINKS))) {
                Files.delete(path);
            }
        } catch (IOException e) {
            // Already gone, or not ours to remove.
        }
    }
}
