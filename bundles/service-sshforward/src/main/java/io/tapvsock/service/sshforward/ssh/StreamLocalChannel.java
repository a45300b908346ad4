package io.tapvsock.service.sshforward.ssh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.sshd.client.channel.AsyncCapableClientChannel;
import org.apache.sshd.client.future.DefaultOpenFuture;
import org.apache.sshd.client.future.OpenFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshConstants;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.channel.StreamingChannel;
import org.apache.sshd.common.io.IoWriteFuture;
import org.apache.sshd.common.io.WritePendingException;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.buffer.Buffer;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;

/**
 * Read first: OpenSSH's PROTOCOL, section 2.4 ({@code direct-streamlocal@openssh.com}: a channel to a unix socket
 * on the server), and RFC 4254 §5 (channel data, windows, EOF and close).
 *
 * <p>One host connection carried to a socket in the guest: {@link #relay} opens the channel on an SSH session and
 * relays a Netty channel (a host unix or TCP connection) to it, both directions, with backpressure (the host is
 * read again only once the SSH channel took the last bytes; SSH window space is given back only once the host
 * took the bytes) and half-close (each side's EOF becomes the other's, after the data before it). MINA has no
 * client class for this channel type; this is the direct-tcpip one with the streamlocal request.
 *
 * <p>MINA calls run on the SSH connection's own thread ({@link GuestIoSession#runOnSshThread}); the host channel's
 * events run on its event loop and hand their MINA calls over.
 */
public final class StreamLocalChannel extends AsyncCapableClientChannel {

    public static final String TYPE = "direct-streamlocal@openssh.com";

    private static final System.Logger LOG = System.getLogger(StreamLocalChannel.class.getName());

    private final String path;
    private final Channel host;
    private final Executor sshThread;
    private final LongAdder bytesToGuest;
    private final LongAdder bytesToHost;
    /** The last write toward the guest; the EOF follows it. Only on the SSH thread. */
    private IoWriteFuture lastWrite;
    /** A write waits to be tried again (see writeToGuest). Only on the SSH thread. */
    private boolean retrying;
    private volatile boolean eofFromGuest;

    private StreamLocalChannel(String path, Channel host, Executor sshThread, LongAdder bytesToGuest,
            LongAdder bytesToHost) {
        super(TYPE, false);
        this.path = path;
        this.host = host;
        this.sshThread = sshThread;
        this.bytesToGuest = bytesToGuest;
        this.bytesToHost = bytesToHost;
        setStreaming(StreamingChannel.Streaming.Async);
    }

    /**
     * Opens a channel to the guest's unix socket {@code path} on {@code session} and relays {@code host} to it.
     * Any thread. The host channel must be active with auto-read off; it is read once the channel is open, and
     * closed when the channel cannot be opened or ends.
     *
     * @return completes when the channel is open, or exceptionally with the guest's refusal (e.g. no such socket)
     */
    public static CompletableFuture<Void> relay(ClientSession session, String path, Channel host,
            LongAdder bytesToGuest, LongAdder bytesToHost) {
        Executor sshThread = session.getIoSession() instanceof GuestIoSession guest ? guest::runOnSshThread : Runnable::run;
        StreamLocalChannel channel = new StreamLocalChannel(path, host, sshThread, bytesToGuest, bytesToHost);
        CompletableFuture<Void> opened = new CompletableFuture<>();
        host.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        host.pipeline().addLast(channel.new HostSide());
        sshThread.execute(() -> {
            try {
                session.getService(ConnectionService.class).registerChannel(channel);
                channel.open().addListener(future -> {
                    if (future.isOpened()) {
                        opened.complete(null);
                        channel.readHost();
                    } else {
                        Throwable cause = future.getException() != null ? future.getException()
                                : new SshException("channel not opened");
                        opened.completeExceptionally(cause);
                        host.close();
                    }
                });
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
                host.close();
            }
        });
        return opened;
    }

    /** SSH_MSG_CHANNEL_OPEN "direct-streamlocal@openssh.com": socket path, reserved string, reserved uint32. */
    @Override
    public synchronized OpenFuture open() throws IOException {
        if (closeFuture.isClosed()) {
            throw new SshException("Session has been closed");
        }
        openFuture = new DefaultOpenFuture(path, futureLock);
        Buffer buffer = getSession().createBuffer(SshConstants.SSH_MSG_CHANNEL_OPEN, TYPE.length() + path.length() + 64);
        buffer.putString(TYPE);
        buffer.putUInt(getChannelId());
        buffer.putUInt(getLocalWindow().getSize());
        buffer.putUInt(getLocalWindow().getPacketSize());
        buffer.putString(path);
        buffer.putString("");
        buffer.putUInt(0);
        writePacket(buffer);
        addCloseFutureListener(closed -> host.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
        return openFuture;
    }

    /** Guest → host: the window space is given back once the host socket took the bytes. */
    @Override
    protected void doWriteData(byte[] data, int offset, long length) {
        bytesToHost.add(length);
        host.writeAndFlush(Unpooled.copiedBuffer(data, offset, (int) length)).addListener(written -> {
            if (!written.isSuccess()) {
                sshThread.execute(() -> close(true));
                return;
            }
            sshThread.execute(() -> {
                try {
                    getLocalWindow().release(length);
                } catch (IOException e) {
                    close(true);
                }
            });
        });
    }

    /** The guest's socket ended its output: so does the host connection, after the data before it. */
    @Override
    public void handleEof() throws IOException {
        super.handleEof();
        eofFromGuest = true;
        host.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            if (host.isActive() && host instanceof DuplexChannel duplex && !duplex.isOutputShutdown()) {
                duplex.shutdownOutput().addListener(shut -> closeHostIfDone());
            }
        });
    }

    private void closeHostIfDone() {
        if (host instanceof DuplexChannel duplex && duplex.isInputShutdown() && duplex.isOutputShutdown()) {
            host.close();
        }
    }

    /** Host → guest, on the SSH thread: one write in flight, the host is read again when it completes. */
    private void writeToGuest(byte[] bytes) {
        try {
            IoWriteFuture write;
            try {
                write = getAsyncIn().writeBuffer(new ByteArrayBuffer(bytes));
            } catch (WritePendingException e) {
                // MINA completes a write's future just before it forgets the write: the next one can come too
                // early. Try again a moment later (the host stays unread meanwhile).
                retrying = true;
                later(() -> {
                    retrying = false;
                    writeToGuest(bytes);
                });
                return;
            }
            bytesToGuest.add(bytes.length);
            lastWrite = write;
            write.addListener(done -> {
                if (done.isWritten()) {
                    readHost();
                } else {
                    LOG.log(Level.WARNING, this + ": write toward the guest failed: " + done.getException());
                    host.close();
                }
            });
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, this + ": write toward the guest failed: " + e);
            host.close();
        }
    }

    /**
     * Reads the host connection again, on its loop, unless its input has ended. The last write toward the guest
     * usually completes after the host's EOF was read, and a read then is not only pointless but fatal: Netty's
     * epoll transport (4.2.18) takes a half-closed channel that waits for nothing out of the epoll set, and asking
     * for EPOLLIN again failed (epoll_ctl: ENOENT), closing the host connection while the guest's answer was still
     * coming back (MINA: "still have N bytes ... on closing channel").
     */
    private void readHost() {
        host.eventLoop().execute(() -> {
            if (host.isActive() && !(host instanceof DuplexChannel duplex && duplex.isInputShutdown())) {
                host.read();
            }
        });
    }

    /** On the SSH thread, a moment later. */
    private void later(Runnable task) {
        host.eventLoop().schedule(() -> sshThread.execute(task), 1, TimeUnit.MILLISECONDS);
    }

    /** On the SSH thread: the EOF goes after the last write. */
    private void eofToGuest() {
        if (retrying) {
            later(this::eofToGuest); // queued behind the retried write
            return;
        }
        IoWriteFuture pending = lastWrite;
        if (pending == null || pending.isDone()) {
            sendEofQuietly();
        } else {
            pending.addListener(done -> sshThread.execute(this::sendEofQuietly));
        }
    }

    private void sendEofQuietly() {
        try {
            if (isOpen() && !isEofSent()) {
                sendEof();
            }
        } catch (IOException e) {
            close(true);
        }
    }

    /** The host connection's end of the relay, on its event loop. */
    private final class HostSide extends ChannelInboundHandlerAdapter {

        private ByteArrayOutputStream pending;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf data)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                if (pending == null) {
                    pending = new ByteArrayOutputStream(data.readableBytes());
                }
                data.readBytes(pending, data.readableBytes());
            } catch (IOException e) {
                ctx.close();
            } finally {
                data.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ByteArrayOutputStream burst = pending;
            pending = null;
            if (burst != null && burst.size() > 0) {
                byte[] bytes = burst.toByteArray();
                sshThread.execute(() -> writeToGuest(bytes));
            } else if (ctx.channel().isActive() && !(ctx.channel() instanceof DuplexChannel duplex
                    && duplex.isInputShutdown())) {
                ctx.read(); // a read that brought nothing: keep reading
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                sshThread.execute(StreamLocalChannel.this::eofToGuest);
                if (eofFromGuest) {
                    closeHostIfDone();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            sshThread.execute(() -> close(false));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
