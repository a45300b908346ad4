package io.tapvsock.transport.tap;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.unix.FileDescriptor;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.tap.Ipv4Setup;
import io.tapvsock.tap.NetworkNamespace;
import io.tapvsock.tap.TapConfig;
import io.tapvsock.tap.TapDevice;
import io.tapvsock.tap.VirtioNetHeader;
import io.tapvsock.transport.common.LinkCounters;
import io.tapvsock.transport.common.fd.FdFrameSink;
import io.tapvsock.transport.common.fd.FdPort;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One TAP attached to the virtual network as a switch port: its fd (non-blocking) sits in the network loop's own
 * epoll set, read and written as {@link FdPort} does. Network loop only, except {@link #open}, {@link #close} and
 * {@link #describe}.
 *
 * <p>With offload the TAP is opened with a virtio-net header (see {@link VirtioNetHeader}): each read starts with
 * one. A frame whose header carries offload work (a partial or verified checksum, a TCP/IPv4 super-segment) goes
 * to {@link NetworkPort#receiveOffloaded}, the others to {@link NetworkPort#receive}; a read shorter than the
 * header, or with a header we cannot honour, is counted and dropped. Reads then hold a 64 KiB super-segment
 * whatever the MTU.
 */
final class TapLink extends FdPort {

    private static final System.Logger LOG = System.getLogger(TapLink.class.getName());
    /** Ethernet header with a VLAN tag on top of the MTU. */
    private static final int LINK_OVERHEAD = 18;
    /** The largest IPv4 datagram: what a TCP/IPv4 super-segment can carry, whatever the MTU. */
    private static final int MAX_IPV4 = 65535;
    private static final long SETUP_TIMEOUT_SECONDS = 30;

    private final TapDevice tap;
    private final int mtu;
    private final boolean offload;
    /** Bytes in front of each frame read: the virtio-net header with offload, else none. */
    private final int headerLength;
    private final TapFrameSink sink;

    /**
     * Read buffers hold a whole read: the interface's MTU (or, with offload, a super-segment) plus the link
     * overhead and the virtio-net header. The kernel truncates a frame that does not fit.
     */
    private TapLink(IoEventLoop loop, VirtualNetwork network, TapDevice tap, ByteBufAllocator alloc,
            LinkCounters counters, String description, int mtu, boolean offload) {
        super(loop, network, new FileDescriptor(tap.fd()), alloc, counters, description,
                (offload ? VirtioNetHeader.LENGTH + Math.max(mtu, MAX_IPV4) : mtu) + LINK_OVERHEAD);
        this.tap = tap;
        this.mtu = mtu;
        this.offload = offload;
        this.headerLength = offload ? VirtioNetHeader.LENGTH : 0;
        this.sink = new TapFrameSink(fd(), alloc, counters, this::waitForWritable, description, offload);
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
            IoRegistration registration = loop.register(link).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            loop.submit(() -> link.attachAndLog(registration)).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
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
    private void attachAndLog(IoRegistration registration) {
        NetworkPort port = attach(registration);
        if (port != null) {
            LOG.log(Level.INFO, "{0}: attached as port {1} (MTU {2}{3})", description, port.id(),
                    Integer.toString(mtu), offload ? ", checksum and TSO4 offload" : "");
        }
    }

    @Override
    protected FdFrameSink sink() {
        return sink;
    }

    @Override
    protected String received(int length) {
        if (offload) {
            deliverWithHeader(length);
        } else {
            counters.frameIn(length);
            deliver(takeFrame(0, length), false);
        }
        return null;
    }

    /** The read just put into {@link #spare()} (length bytes): a virtio-net header, then the frame. */
    private void deliverWithHeader(int length) {
        if (length < headerLength) {
            counters.droppedIn("vnet-header-short");
            return;
        }
        int frameLength = length - headerLength;
        counters.frameIn(frameLength);
        String problem = VirtioNetHeader.checkReceived(spare(), 0, frameLength);
        if (problem != null) {
            counters.droppedIn(problem);
            return;
        }
        boolean offloaded = VirtioNetHeader.offloaded(spare(), 0);
        if (offloaded) {
            counters.offloadedIn(VirtioNetHeader.gsoType(spare(), 0) == VirtioNetHeader.GSO_TCPV4);
        }
        deliver(takeFrame(headerLength, frameLength), offloaded);
    }

    @Override
    protected String readFailed(IOException e) {
        LOG.log(Level.ERROR, "{0}: reading the TAP failed, the link is down: {1}", description, e.getMessage());
        counters.count(TapTransportStatus.LINK_FAILURES, "read-error");
        return "read-error";
    }

    /** The TAP goes (a TAP this link created disappears with it). */
    @Override
    protected void closed(String reason) {
        tap.close();
    }

    /**
     * Detaches the port, leaves the epoll set and closes the TAP. Any thread; idempotent. Netty also calls it when
     * the loop shuts down.
     */
    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeWith("closed");
            return;
        }
        try {
            loop.submit(() -> closeWith("closed")).get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            tap.close();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // The loop is gone or stuck (RejectedExecutionException when it shut down): close the device anyway.
            LOG.log(Level.DEBUG, "{0}: closing off the loop: {1}", description, e.toString());
            tap.close();
        }
    }

    /** One line for the shell: the description, the port and the device. Any thread. */
    String describe() {
        int id = portId();
        return description + ": " + (id < 0 ? "detached" : "port " + id) + ", " + tap;
    }
}
