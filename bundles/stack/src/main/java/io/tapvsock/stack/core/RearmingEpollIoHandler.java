package io.tapvsock.stack.core;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoOps;

/**
 * Netty's epoll IoHandler, with registrations that survive waiting for nothing. Netty 4.2 (4.2.18, still in
 * 4.2.20) takes a channel whose interest set becomes empty out of the epoll set (EPOLL_CTL_DEL) but keeps it
 * marked as added, so its next interest is an EPOLL_CTL_MOD that fails with ENOENT and closes the channel. A
 * connection whose peer shut down its writing half waits for nothing once its EOF is read (level-triggered epoll
 * drops EPOLLIN and EPOLLRDHUP, which would fire forever); when data toward that peer then fills its socket it
 * must wait for EPOLLOUT, and was closed with the data undelivered: a NATed host socket, a forwarded or SSH-forwarded
 * client, a tunnel would see EOF after a prefix. Netty also empties the set with data still queued when a flush
 * uses up its write spin count. Here a registration emptied that way is replaced by a fresh one (which adds the fd
 * again) at its next interest. The network loop runs on this handler, so every channel on it is safe.
 */
final class RearmingEpollIoHandler implements IoHandler {

    private final IoHandler epoll;

    private RearmingEpollIoHandler(IoHandler epoll) {
        this.epoll = epoll;
    }

    /** @param epoll makes Netty's epoll handlers (e.g. with the loop's select strategy) */
    static IoHandlerFactory wrap(IoHandlerFactory epoll) {
        return executor -> new RearmingEpollIoHandler(epoll.newHandler(executor));
    }

    @Override
    public void initialize() {
        epoll.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        return epoll.run(context);
    }

    @Override
    public void prepareToDestroy() {
        epoll.prepareToDestroy();
    }

    @Override
    public void destroy() {
        epoll.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return new Registration(handle, epoll.register(handle));
    }

    @Override
    public void wakeup() {
        epoll.wakeup();
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return epoll.isCompatible(handleType);
    }

    /** Only used on the handler's thread, as Netty's own registrations are. */
    private final class Registration implements IoRegistration {
        private final IoHandle handle;
        private IoRegistration current;
        private boolean emptied;

        Registration(IoHandle handle, IoRegistration current) {
            this.handle = handle;
            this.current = current;
        }

        @Override
        public <T> T attachment() {
            return current.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            if (ops instanceof EpollIoOps epollOps && epollOps.value() == EpollIoOps.NONE.value()) {
                emptied = true;
                return current.submit(ops);
            }
            if (emptied && current.isValid()) {
                emptied = false;
                current.cancel();
                try {
                    current = epoll.register(handle);
                } catch (Exception e) {
                    throw new IllegalStateException("epoll registration of " + handle + " not renewed", e);
                }
            }
            return current.submit(ops);
        }

        @Override
        public boolean isValid() {
            return current.isValid();
        }

        @Override
        public boolean cancel() {
            return current.cancel();
        }
    }
}
