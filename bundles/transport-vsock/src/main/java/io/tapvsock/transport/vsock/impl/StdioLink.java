package io.tapvsock.transport.vsock.impl;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.Socket;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.stream.StreamPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * gvproxy's {@code -listen-stdio}: hyperkit-framed Ethernet on the daemon's stdin and stdout, one switch port
 * (WSL's gvforwarder spawns the daemon with pipes). Stdin and stdout may be pipes, files or terminals, which
 * epoll cannot always watch, so two threads copy bytes between them and one end of a socket pair; the other end
 * is an ordinary Netty channel on the network loop with the same pipeline as every hyperkit stream (decoder,
 * port, backpressure through the socket buffer). Stdin's end closes the link; when the link ends for any
 * reason, {@code onEnd} runs once (the component then stops the daemon, and WSL's forwarder respawns it).
 */
final class StdioLink implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(StdioLink.class.getName());
    static final String DESCRIPTION = "stdio";
    private static final int COPY_BUFFER = 64 * 1024;
    private static final long CLOSE_WAIT_MILLIS = 5_000;

    private final VirtualNetwork network;
    private final InputStream in;
    private final OutputStream out;
    private final LinkCounters counters;
    private final Runnable onEnd;
    private Channel channel;
    private StreamPort port;
    private Socket blockingEnd;
    /** The blocking end is closed by the last copier to finish, so its fd number is never reused under one. */
    private final AtomicInteger copiersLeft = new AtomicInteger(2);

    /**
     * @param in    the daemon's stdin (frames from the guest); read by a thread of this link
     * @param out   the daemon's stdout (frames to the guest), which must carry nothing else
     * @param onEnd runs once, on the network loop, when the link has ended
     */
    StdioLink(VirtualNetwork network, InputStream in, OutputStream out, LinkCounters counters, Runnable onEnd) {
        this.network = network;
        this.in = in;
        this.out = out;
        this.counters = counters;
        this.onEnd = onEnd;
    }

    /** Attaches the port and starts copying. Not on the network loop: it waits for the loop. */
    void start() throws IOException {
        UnixSocketPair pair = UnixSocketPair.open();
        blockingEnd = new Socket(pair.blocking());
        channel = new EpollDomainSocketChannel(pair.nonBlocking());
        channel.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, VpnkitListener.WATER_MARK);
        channel.config().setOption(ChannelOption.RECVBUF_ALLOCATOR, VpnkitListener.READ_SIZES);
        port = HyperkitStream.addTo(channel.pipeline(), network, DESCRIPTION, HyperkitStream.MAX_FRAME_SIZE, counters);
        // Last in the pipeline: the port has detached and counted the close by the time this hears of it.
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                ended();
            }
        });
        ChannelFuture registered = network.eventLoop().register(channel).awaitUninterruptibly();
        if (!registered.isSuccess()) {
            channel.unsafe().closeForcibly();
            closeBlockingEnd();
            throw new IOException("stdio: cannot register on the network loop: " + registered.cause(),
                    registered.cause());
        }
        counters.increment(VsockTransportStatus.STDIO_LINKS);
        Thread.ofPlatform().daemon().name("tapvsock-stdin").start(this::copyIn);
        Thread.ofPlatform().daemon().name("tapvsock-stdout").start(this::copyOut);
        LOG.log(Level.INFO, "stdio: frames on stdin/stdout (hyperkit framing)");
    }

    /** Stdin to the socket; at stdin's end, the socket's write side is shut down: the channel sees the end. */
    private void copyIn() {
        byte[] bytes = new byte[COPY_BUFFER];
        ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_BUFFER);
        try {
            int n;
            while ((n = in.read(bytes)) >= 0) {
                buffer.clear();
                buffer.put(bytes, 0, n).flip();
                while (buffer.hasRemaining()) {
                    buffer.position(buffer.position()
                            + blockingEnd.write(buffer, buffer.position(), buffer.limit()));
                }
            }
            LOG.log(Level.INFO, "stdio: end of stdin");
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stdio: stdin copy ended: {0}", e.toString());
        } finally {
            shutdown(false, true);
            copierDone();
        }
    }

    /** The socket to stdout, until the channel closes (or stdout fails, which closes the channel). */
    private void copyOut() {
        byte[] bytes = new byte[COPY_BUFFER];
        ByteBuffer buffer = ByteBuffer.allocateDirect(COPY_BUFFER);
        try {
            int n;
            while ((n = blockingEnd.read(buffer, 0, buffer.capacity())) > 0) {
                buffer.get(0, bytes, 0, n);
                out.write(bytes, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "stdio: writing stdout failed, the link is down: {0}", e.toString());
        } finally {
            shutdown(true, true);
            copierDone();
        }
    }

    private void shutdown(boolean read, boolean write) {
        try {
            blockingEnd.shutdown(read, write);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stdio: shutdown: {0}", e.toString());
        }
    }

    private void copierDone() {
        if (copiersLeft.decrementAndGet() == 0) {
            closeBlockingEnd();
        }
    }

    private void closeBlockingEnd() {
        try {
            blockingEnd.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "stdio: close: {0}", e.toString());
        }
    }

    private void ended() {
        LOG.log(Level.INFO, "stdio: the link ended");
        onEnd.run();
    }

    /** The port's id, -1 before it attached and after the link ended. Any thread. */
    int portId() {
        return port == null ? -1 : port.portId();
    }

    /** One line for the shell. Any thread. */
    String describe() {
        int id = portId();
        return "stdio  " + (id < 0 ? "detached" : "port " + id);
    }

    /**
     * Closes the channel; the stdout copier then ends. A stdin copier blocked in a read ends at its next read
     * (its write fails), as no read on a pipe can be interrupted. Any thread; idempotent.
     */
    @Override
    public void close() {
        Channel current = channel;
        if (current == null) {
            return;
        }
        if (current.isOpen()) {
            port.closeWith("link-closed");
        }
        if (!current.eventLoop().inEventLoop()) {
            current.closeFuture().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
        }
    }
}
