package io.tapvsock.transport.tap;

import io.tapvsock.transport.common.LinkCounters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.tap.Ipv4Setup;
import io.tapvsock.tap.NetworkNamespace;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TapDevice;
import io.tapvsock.tap.VirtioNetHeader;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One TAP attached to the virtual network as a switch port. The TAP's fd (non-blocking) sits in the network
 * loop's own epoll set as an {@link EpollIoHandle}, so frames go from the kernel to the stack with no thread
 * hand-off: on EPOLLIN every ready frame (up to a budget; the registration is level-triggered, so the rest comes
 * on the next loop turn) is read into a pooled direct buffer and handed to the port, then the port hears the end
 * of the burst. Network loop only, except {@link #open}, {@link #close} and {@link #describe}.
 *
 * <p>With offload the TAP is opened with a virtio-net header (see {@link VirtioNetHeader}): each read starts with
 * one. A frame whose header carries offload work (a partial or verified checksum, a TCP/IPv4 super-segment) goes
 * to {@link NetworkPort#receiveOffloaded}, the others to {@link NetworkPort#receive}; a read shorter than the
 * header, or with a header we cannot honour, is counted and dropped. Reads then hold a 64 KiB super-segment
 * whatever the MTU.
 */
final class TapLink implements EpollIoHandle {

    private static final System.Logger LOG = System.getLogger(TapLink.class.getName());
    /** Frames per EPOLLIN before the loop serves others; what is left is read on its next turn. */
    private static final int READ_BUDGET = 128;
    /** Ethernet header with a VLAN tag on top of the MTU. */
    private static final int LINK_OVERHEAD = 18;
    /** The largest IPv4 datagram: what a TCP/IPv4 super-segment can carry, whatever the MTU. */
    private static final int MAX_IPV4 = 65535;
    private static final long SETUP_TIMEOUT_SECONDS = 30;

    private final IoEventLoop loop;
    private final VirtualNetwork network;
    private final TapDevice tap;
    private final FileDescriptor fd;
    private final ByteBufAllocator alloc;
    private final LinkCounters counters;
    private final String description;
    /**
     * Read buffers hold a whole read: the interface's MTU (or, with offload, a super-segment) plus the link
     * overhead and the virtio-net header. The kernel truncates a frame that does not fit.
     */
    private final int frameCapacity;
    private final int mtu;
    private final boolean offload;
    /** Bytes in front of each frame read: the virtio-net header with offload, else none. */
    private final int headerLength;
    private final TapFrameSink sink;
    private IoRegistration registration;
    private NetworkPort port;
    /** The buffer the next frame is read into; kept across reads when the last frame was copied out of it. */
    private ByteBuf spare;
    private boolean closed;
    /** The port's id for the shell's listing (NetworkPort itself is loop-only); -1 while detached. */
    private volatile int portId = -1;

    private TapLink(IoEventLoop loop, VirtualNetwork network, TapDevice tap, ByteBufAllocator alloc,
            LinkCounters counters, String description, int mtu, boolean offload) {
        this.loop = loop;
        this.network = network;
        this.tap = tap;
        this.fd = new FileDescriptor(tap.fd());
        this.alloc = alloc;
        this.counters = counters;
        this.description = description;
        this.mtu = mtu;
        this.offload = offload;
        this.headerLength = offload ? VirtioNetHeader.LENGTH : 0;
        this.frameCapacity = headerLength + (offload ? Math.max(mtu, MAX_IPV4) : mtu) + LINK_OVERHEAD;
        this.sink = new TapFrameSink(fd, alloc, counters, this::waitForWritable, description, offload);
    }

    /**
     * Opens the TAP in the configured namespace (MAC, MTU, link up; with {@code configure}, also the device IP,
     * lo up and the default route, all on one thread that enters the namespace), registers it on the network
     * loop and attaches it to the switch. Not on the network loop: it waits for the loop.
     *
     * @throws IOException naming the step that failed, e.g. "TUNSETIFF tap0: Operation not permitted"
     */
    static TapLink open(VirtualNetwork network, TapTransportConfig config, ByteBufAllocator alloc,
            LinkCounters counters) throws IOException {
        EventLoop networkLoop = network.eventLoop();
        if (!(networkLoop instanceof IoEventLoop loop) || !loop.isCompatible(TapLink.class)) {
            throw new IOException("the tap transport needs the network loop on Netty's epoll transport, and this "
                    + "one is " + networkLoop.getClass().getName() + " (is netty-transport-native-epoll installed?)");
        }
        NetworkSettings settings = network.settings();
        int mtu = config.mtuFor(settings);
        TapDevice tap = openDevice(config, settings, mtu);
        TapLink link = new TapLink(loop, network, tap, alloc, counters, config.describe(), mtu, config.offload());
        try {
            link.registration = loop.register(link).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            loop.submit(link::attach).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
            link.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IOException(config.describe() + ": attaching to the network loop failed: " + cause, cause);
        }
        return link;
    }

    private static TapDevice openDevice(TapTransportConfig config, NetworkSettings settings, int mtu)
            throws IOException {
        TapConfig device = TapConfig.named(config.iface()).withMac(macBytes(config)).withMtu(mtu).up(true)
                .offload(config.offload());
        if (config.netns().isEmpty()) {
            return openAndConfigure(device, config, settings);
        }
        Path namespace = config.netns().get();
        return NetworkNamespace.call(namespace, () -> openAndConfigure(device, config, settings));
    }

    /** Runs in the target namespace: the TAP, then (configure) its address, lo and the default route. */
    private static TapDevice openAndConfigure(TapConfig device, TapTransportConfig config, NetworkSettings settings)
            throws IOException {
        TapDevice tap = TapDevice.open(device);
        if (!config.configure()) {
            return tap;
        }
        try {
            boolean routeAdded = Ipv4Setup.configure(tap.name(), settings.deviceIp().bits(),
                    settings.subnet().prefixLength(), settings.gatewayIp().bits());
            if (!routeAdded) {
                LOG.log(Level.WARNING, "{0}: the namespace already has a default route; left as it is",
                        config.describe());
            }
            return tap;
        } catch (IOException | RuntimeException e) {
            tap.close();
            throw e;
        }
    }

    private static byte[] macBytes(TapTransportConfig config) {
        long bits = config.mac().bits();
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (bits >>> (40 - 8 * i));
        }
        return bytes;
    }

    /** On the loop: joins the switch and starts reading. */
    private void attach() {
        if (closed) {
            return;
        }
        port = network.attach(sink, description);
        portId = port.id();
        registration.submit(EpollIoOps.EPOLLIN);
        LOG.log(Level.INFO, "{0}: attached as port {1} (MTU {2}{3})", description, port.id(),
                Integer.toString(mtu), offload ? ", checksum and TSO4 offload" : "");
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed || port == null) {
            return;
        }
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLOUT)) {
            sink.writable();
        }
        // EPOLLERR (the interface went away) shows up as a failing read.
        if (!closed && (ops.contains(EpollIoOps.EPOLLIN) || ops.contains(EpollIoOps.EPOLLERR))) {
            readBurst();
        }
    }

    private void readBurst() {
        int frames = 0;
        try {
            while (frames < READ_BUDGET) {
                if (spare == null) {
                    spare = alloc.directBuffer(frameCapacity, frameCapacity);
                }
                int length = read(spare);
                if (length <= 0) {
                    break; // EAGAIN: everything ready has been read
                }
                frames++;
                if (offload) {
                    deliverWithHeader(length);
                } else {
                    counters.frameIn(length);
                    deliver(takeFrame(0, length), false);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.ERROR, "{0}: reading the TAP failed, the link is down: {1}", description, e.getMessage());
            counters.count(TapTransportStatus.LINK_FAILURES, "read-error");
            if (frames > 0) {
                port.endOfBurst();
            }
            closeOnLoop();
            return;
        }
        if (frames > 0) {
            port.endOfBurst();
        }
    }

    /** The read just put into {@link #spare} (length bytes): a virtio-net header, then the frame. */
    private void deliverWithHeader(int length) {
        if (length < headerLength) {
            counters.droppedIn("vnet-header-short");
            return;
        }
        int frameLength = length - headerLength;
        counters.frameIn(frameLength);
        String problem = VirtioNetHeader.checkReceived(spare, 0, frameLength);
        if (problem != null) {
            counters.droppedIn(problem);
            return;
        }
        boolean offloaded = VirtioNetHeader.offloaded(spare, 0);
        if (offloaded) {
            counters.offloadedIn(VirtioNetHeader.gsoType(spare, 0) == VirtioNetHeader.GSO_TCPV4);
        }
        deliver(takeFrame(headerLength, frameLength), offloaded);
    }

    /**
     * The frame just read into {@link #spare} at {@code offset}: a small one is copied into a buffer of its size
     * so the big one is reused (an ACK must not pin a 64 KiB buffer while the stack holds it); a big one is handed
     * over whole, its reader index at the frame.
     *
     * @return transferred: the caller hands it on
     */
    private ByteBuf takeFrame(int offset, int length) {
        if (length <= frameCapacity / 4) {
            ByteBuf copy = alloc.directBuffer(length, length);
            copy.writeBytes(spare, offset, length);
            return copy;
        }
        ByteBuf frame = spare.setIndex(offset, offset + length);
        spare = null;
        return frame;
    }

    /**
     * @param frame     transferred: the port releases it
     * @param offloaded its virtio-net header left checksum or segmentation work: the port skips the checks
     */
    private void deliver(ByteBuf frame, boolean offloaded) {
        try {
            if (offloaded) {
                port.receiveOffloaded(frame);
            } else {
                port.receive(frame);
            }
        } catch (RuntimeException e) {
            // The stack owns the frame now; a throw here is its bug, not the guest's: keep the link up.
            counters.stackError();
            LOG.log(Level.ERROR, description + ": the network failed on a frame", e);
        }
    }

    /** @return the frame's length, 0 when none is ready */
    private int read(ByteBuf buffer) throws IOException {
        if (buffer.hasMemoryAddress()) {
            return fd.readAddress(buffer.memoryAddress(), 0, frameCapacity);
        }
        ByteBuffer nio = buffer.internalNioBuffer(0, frameCapacity);
        return fd.read(nio, nio.position(), nio.limit());
    }

    private void waitForWritable(boolean wait) {
        if (!closed) {
            registration.submit(wait ? EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLOUT) : EpollIoOps.EPOLLIN);
        }
    }

    /**
     * Detaches the port, leaves the epoll set and closes the TAP (a TAP this link created disappears with it).
     * Any thread; idempotent. Netty also calls it when the loop shuts down.
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.submit(this::closeOnLoop).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tap.close();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The loop is gone or stuck (RejectedExecutionException when it shut down): close the device anyway.
            LOG.log(Level.DEBUG, "{0}: closing off the loop: {1}", description, e.toString());
            tap.close();
        }
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        sink.close();
        if (registration != null) {
            registration.cancel();
        }
        if (port != null) {
            NetworkPort leaving = port;
            port = null;
            portId = -1;
            leaving.detach();
            LOG.log(Level.INFO, "{0}: port {1} detached", description, leaving.id());
        }
        if (spare != null) {
            spare.release();
            spare = null;
        }
        tap.close();
    }

    /** One line for the shell: the description, the port and the device. Any thread. */
    String describe() {
        int id = portId;
        return description + ": " + (id < 0 ? "detached" : "port " + id) + ", " + tap;
    }

    /** The switch port's id, -1 when detached. Any thread. */
    int portId() {
        return portId;
    }
}
