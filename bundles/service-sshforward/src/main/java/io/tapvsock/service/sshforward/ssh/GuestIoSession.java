package io.tapvsock.service.sshforward.ssh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.apache.sshd.common.future.CloseFuture;
import org.apache.sshd.common.io.AbstractIoWriteFuture;
import org.apache.sshd.common.io.IoConnectFuture;
import org.apache.sshd.common.io.IoHandler;
import org.apache.sshd.common.io.IoService;
import org.apache.sshd.common.io.IoSession;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.common.util.closeable.AbstractCloseable;

/**
 * MINA SSHD's transport for one SSH connection, over a TCP connection into the guest that the stack opened
 * ({@link io.tapvsock.api.GuestTcpConnector}): the guest's sshd is reached through the virtual network itself,
 * never through the host's network.
 *
 * <p>Threads: the Netty channel lives on the network loop, but no SSH work runs there. Every call into MINA
 * (session created, bytes received, closed, errors) is handed, in order, to this session's own thread; the
 * relays hand their MINA calls to it too ({@link #runOnSshThread}). Writes come from any thread (MINA serialises
 * them under its encoding lock) and become Netty writes, which keep their order.
 */
final class GuestIoSession extends AbstractCloseable implements IoSession {

    private static final System.Logger LOG = System.getLogger(GuestIoSession.class.getName());

    private final long id;
    private final IoService service;
    private final IoHandler handler;
    private final IoConnectFuture connectFuture;
    private final Map<Object, Object> attributes = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private volatile Channel channel;

    GuestIoSession(long id, IoService service, IoHandler handler, IoConnectFuture connectFuture) {
        this.id = id;
        this.service = service;
        this.handler = handler;
        this.connectFuture = connectFuture;
        this.executor = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "tapvsock-ssh-" + id);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The handler the stack puts on the guest connection's pipeline before its SYN goes out. */
    ChannelInboundHandlerAdapter adapter() {
        return new Adapter();
    }


    @Override
    public long getId() {
        return id;
    }

    @Override
    public SocketAddress getAcceptanceAddress() {
        return null; // a client connection: nothing accepted it here
    }

    @Override
    public SocketAddress getLocalAddress() {
        Channel current = channel;
        return current == null ? null : current.localAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() {
        Channel current = channel;
        return current == null ? null : current.remoteAddress();
    }

    @Override
    public Object getAttribute(Object key) {
        return attributes.get(key);
    }

    @Override
    public Object setAttribute(Object key, Object value) {
        return attributes.put(key, value);
    }

    @Override
    public Object setAttributeIfAbsent(Object key, Object value) {
        return attributes.putIfAbsent(key, value);
    }

    @Override
    public Object removeAttribute(Object key) {
        return attributes.remove(key);
    }

    @Override
    public IoWriteFuture writeBuffer(Buffer buffer) throws IOException {
        Channel current = channel;
        WriteFuture written = new WriteFuture(this);
        if (current == null || !current.isActive()) {
            written.setValue(new IOException("the SSH connection to the guest is closed"));
            return written;
        }
        // MINA may reuse its buffer once this returns: Netty gets a copy.
        ByteBuf copy = Unpooled.copiedBuffer(buffer.array(), buffer.rpos(), buffer.available());
        // Packets must reach the wire in the order MINA encrypted them (it calls this under its encoding lock).
        // A write made on the loop itself would run at once, ahead of writes other threads queued before it:
        // every write is queued, so the loop runs them in call order. Completions go back to the SSH thread,
        // where MINA may write the next chunk.
        current.eventLoop().execute(() -> current.writeAndFlush(copy).addListener(future -> runOnSshThread(
                () -> written.setValue(future.isSuccess() ? Boolean.TRUE : future.cause()))));
        return written;
    }

    /** Runs on this session's thread, or here once that thread has ended (after the connection closed). */
    void runOnSshThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    @Override
    public IoService getService() {
        return service;
    }

    @Override
    public void shutdownOutputStream() {
        if (channel instanceof DuplexChannel duplex) {
            duplex.shutdownOutput();
        }
    }

    @Override
    public void suspendRead() {
        Channel current = channel;
        if (current != null) {
            current.config().setAutoRead(false);
        }
    }

    @Override
    public void resumeRead() {
        Channel current = channel;
        if (current != null) {
            current.config().setAutoRead(true);
        }
    }

    @Override
    protected CloseFuture doCloseGracefully() {
        Channel current = channel;
        if (current == null) {
            closeFuture.setClosed();
        } else {
            current.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE)
                    .addListener(future -> closeFuture.setClosed());
        }
        return closeFuture;
    }

    @Override
    protected void doCloseImmediately() {
        Channel current = channel;
        if (current != null) {
            current.close();
        }
        super.doCloseImmediately();
    }

    /** Called when the guest never accepted the connection. */
    void connectFailed(Throwable cause) {
        runOnSshThread(() -> connectFuture.setException(cause));
        executor.shutdown();
    }

    @Override
    public String toString() {
        return "GuestIoSession[" + id + " " + getLocalAddress() + " -> " + getRemoteAddress() + "]";
    }

    private static final class WriteFuture extends AbstractIoWriteFuture {
        WriteFuture(Object id) {
            super(id, null);
        }
    }

    /** Bytes are gathered until the end of each read burst, then handed to MINA at once (as sshd-netty does). */
    private final class Adapter extends ChannelInboundHandlerAdapter {

        private ByteArrayBuffer pending;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            runOnSshThread(() -> {
                try {
                    handler.sessionCreated(GuestIoSession.this);
                    connectFuture.setSession(GuestIoSession.this);
                } catch (Throwable e) {
                    connectFuture.setException(e);
                    close(true);
                }
            });
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = (ByteBuf) msg;
            try {
                byte[] bytes = new byte[data.readableBytes()];
                data.readBytes(bytes);
                if (pending == null) {
                    pending = new ByteArrayBuffer(bytes.length, false);
                }
                pending.putRawBytes(bytes); // grows the buffer as needed
            } finally {
                data.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ByteArrayBuffer burst = pending;
            pending = null;
            if (burst != null) {
                runOnSshThread(() -> {
                    try {
                        handler.messageReceived(GuestIoSession.this, burst);
                    } catch (Throwable e) {
                        exceptionCaught(e);
                    }
                });
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            runOnSshThread(() -> exceptionCaught(cause));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            pending = null;
            runOnSshThread(() -> {
                try {
                    handler.sessionClosed(GuestIoSession.this);
                } catch (Throwable e) {
                    // No SSH session was attached (the handshake never started): nothing more to close.
                } finally {
                    close(true);
                    executor.shutdown();
                }
            });
            ctx.fireChannelInactive();
        }

        private void exceptionCaught(Throwable cause) {
            LOG.log(System.Logger.Level.WARNING, GuestIoSession.this + ": SSH connection failed: " + cause, cause);
            try {
                handler.exceptionCaught(GuestIoSession.this, cause);
            } catch (Throwable e) {
                close(true);
            }
        }
    }
}
