package io.tapvsock.stack.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.internal.StringUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * A TCP connection with a guest whose other end is inside the daemon: a Netty channel on the network loop, driven
 * by the stack's own TCP ({@link TcpConnection}) instead of a kernel socket. Port forwarding and tunnels open
 * these toward a guest (GuestTcpConnector); the gateway's TCP services (DNS, the in-VM API) get one for each
 * connection a guest opens to them (GatewayTcpService).
 *
 * <p>Guest data is queued as it arrives and handed to the pipeline at the end of the guest's burst, or when a
 * read() asks for it. Queued bytes count against the window offered to the guest, so a pipeline that stops
 * reading (auto-read off) closes the guest's window: backpressure as with a socket. Writes go into the
 * connection's send buffer as far as the guest's window allows; the rest waits in the channel's outbound buffer,
 * whose water marks give writability. The connection only records events here; pipeline events fire at safe
 * points (the end of a burst, a loop task), never while the stack is in the middle of a segment.
 * Network loop only, like every Netty channel of that loop.
 */
public final class GuestChannel extends AbstractChannel implements DuplexChannel {

    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final GuestChannelConfig config = new GuestChannelConfig(this);
    private final InetSocketAddress remote;
    private InetSocketAddress local;
    private GuestChannelLink link;
    /** Guest data not yet handed to the pipeline. */
    private final ArrayDeque<ByteBuf> received = new ArrayDeque<>();
    private int receivedBytes;
    private boolean readRequested;
    private boolean deliveryScheduled;
    private boolean writeScheduled;
    private boolean open = true;
    private boolean active;
    private boolean inputShutdown;
    private boolean outputShutdown;
    /** The guest's FIN came: the input ends once the data before it is delivered. */
    private boolean finReceived;
    /** The connection was reset (by the guest, or given up): the pipeline hears of it before the close. */
    private boolean resetReceived;
    /** The connection is gone from the stack: nothing may call into it any more. */
    private boolean detached;

    /**
     * Not registered yet: {@link TcpNat#connect} registers it on the network loop.
     *
     * @param local  our end, as the guest sees it (port 0 until TcpNat picks one)
     * @param remote the guest's end
     */
    public GuestChannel(InetSocketAddress local, InetSocketAddress remote) {
        super(null);
        this.local = local;
        this.remote = remote;
    }

    void attach(GuestChannelLink link, InetSocketAddress local) {
        this.link = link;
        this.local = local;
    }

    // ---------------------------------------------------------------- events from the connection (via the link)

    /**
     * In-order data from the guest.
     *
     * @param data transferred: callee releases
     * @return false when the channel is closed: the data had nowhere to go and the connection must be reset
     */
    boolean guestData(ByteBuf data) {
        if (!open || inputShutdown) {
            data.release();
            return inputShutdown && open; // shut down for input by the pipeline: discarded, as a socket would
        }
        received.add(data);
        receivedBytes += data.readableBytes();
        return true;
    }

    int receivedBytes() {
        return receivedBytes;
    }

    void guestFin() {
        finReceived = true;
    }

    void guestReset() {
        resetReceived = true;
    }

    /** The guest's window has room again: writes waiting in the outbound buffer go on. */
    void windowOpened() {
        ChannelOutboundBuffer outbound = unsafe().outboundBuffer();
        if (writeScheduled || outbound == null || outbound.isEmpty()) {
            return;
        }
        writeScheduled = true;
        eventLoop().execute(() -> {
            writeScheduled = false;
            ((GuestUnsafe) unsafe()).writeFlushed();
        });
    }

    /**
     * The handshake completed: the channel is active, then the connect promise succeeds, then channelActive fires
     * (the order of Netty's socket channels).
     *
     * @param connectPromise null for a connection the guest opened
     */
    void established(ChannelPromise connectPromise) {
        if (!open) {
            return;
        }
        active = true;
        if (connectPromise != null) {
            connectPromise.trySuccess();
        }
        pipeline().fireChannelActive(); // with auto-read, asks for a read, which delivers what came with the ACK
    }

    /**
     * Hands queued guest data to the pipeline if a read was asked for, then the guest's FIN once all before it is
     * delivered.
     *
     * @return whether any data was delivered (the window offered to the guest grew)
     */
    boolean deliver() {
        if (!open || !active) {
            return false;
        }
        boolean delivered = false;
        if (readRequested && !received.isEmpty()) {
            readRequested = false;
            while (!received.isEmpty() && open && !inputShutdown) {
                ByteBuf data = received.poll();
                receivedBytes -= data.readableBytes();
                pipeline().fireChannelRead(data);
            }
            delivered = true;
            pipeline().fireChannelReadComplete();
        }
        if (finReceived && received.isEmpty() && open && !inputShutdown) {
            endInput();
        }
        return delivered;
    }

    /** The connection is gone from the stack (closed, reset, or never opened). */
    void connectionGone() {
        detached = true;
        if (!open) {
            return;
        }
        if (resetReceived) {
            releaseReceived();
            if (active) {
                pipeline().fireExceptionCaught(new SocketException("Connection reset by the guest"));
            }
            close();
        } else if (received.isEmpty() || !active) {
            close();
        } else {
            finReceived = true; // what the guest sent before the end is still to be read; the close follows it
            outputShutdown = true;
            scheduleDelivery();
        }
    }

    private void endInput() {
        inputShutdown = true;
        if (config.isAllowHalfClosure() && !detached) {
            pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
        } else {
            close();
        }
    }

    private void scheduleDelivery() {
        if (deliveryScheduled || (received.isEmpty() && !finReceived)) {
            return;
        }
        deliveryScheduled = true;
        eventLoop().execute(() -> {
            deliveryScheduled = false;
            if (deliver() && !detached) {
                link.delivered();
            }
        });
    }

    private void releaseReceived() {
        for (ByteBuf data = received.poll(); data != null; data = received.poll()) {
            data.release();
        }
        receivedBytes = 0;
    }

    // ---------------------------------------------------------------- AbstractChannel

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new GuestUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a guest channel's address is set when it opens");
    }

    @Override
    protected void doDisconnect() {
        doClose();
    }

    @Override
    protected void doClose() {
        boolean wasOpen = open;
        open = false;
        active = false;
        releaseReceived();
        if (wasOpen && !detached && link != null) {
            link.channelClosed(config.resetsOnClose());
        }
    }

    @Override
    protected void doShutdownOutput() {
        outputShutdown = true;
        if (!detached && link != null) {
            link.channelOutputShutdown();
        }
    }

    @Override
    protected void doBeginRead() {
        if (inputShutdown) {
            return;
        }
        readRequested = true;
        scheduleDelivery();
    }

    /** As much as the guest's window takes goes into the connection's send buffer; the rest waits here. */
    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean handed = false;
        for (Object msg = in.current(); msg != null; msg = in.current()) {
            if (detached || outputShutdown) {
                in.remove(new ClosedChannelException());
                continue;
            }
            ByteBuf data = (ByteBuf) msg; // filterOutboundMessage lets nothing else through
            int readable = data.readableBytes();
            if (readable == 0) {
                in.remove();
                continue;
            }
            int room = link.connection.hostDataRoom();
            if (room <= 0) {
                break; // windowOpened() writes the rest
            }
            int n = Math.min(room, readable);
            link.connection.hostData(data.retainedSlice(data.readerIndex(), n));
            in.removeBytes(n);
            handed = true;
        }
        if (handed) {
            link.dataHanded();
        }
    }

    /** ByteBufs only, in direct memory like every packet of the stack. */
    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf data) {
            if (data.isDirect()) {
                return data;
            }
            try {
                ByteBuf direct = alloc().directBuffer(data.readableBytes());
                direct.writeBytes(data, data.readerIndex(), data.readableBytes());
                return direct;
            } finally {
                data.release();
            }
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + " (expected: ByteBuf)");
    }

    @Override
    public GuestChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    // ---------------------------------------------------------------- DuplexChannel

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Delivers no more guest data; what comes is acknowledged and dropped. The guest is not told. */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        onLoop(() -> {
            inputShutdown = true;
            readRequested = false;
            releaseReceived();
            promise.setSuccess();
        });
        return promise;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    /** Our FIN goes to the guest after the data written so far; the guest may go on sending. */
    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        onLoop(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        return promise;
    }

    @Override
    public boolean isShutdown() {
        return inputShutdown && outputShutdown;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener(output -> shutdownInput().addListener(input -> {
            Throwable cause = output.cause() != null ? output.cause() : input.cause();
            if (cause == null) {
                promise.setSuccess();
            } else {
                promise.setFailure(cause);
            }
        }));
        return promise;
    }

    private void onLoop(Runnable task) {
        if (eventLoop().inEventLoop()) {
            task.run();
        } else {
            eventLoop().execute(task);
        }
    }

    @Override
    public String toString() {
        return "GuestChannel[" + local + " -> " + remote + (open ? "" : ", closed") + "]";
    }

    private final class GuestUnsafe extends AbstractUnsafe {

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException(
                    "connections into a guest are opened with GuestTcpConnector"));
        }

        /** Writes what was flushed before, without flushing what the pipeline has not flushed yet. */
        void writeFlushed() {
            flush0();
        }
    }
}
