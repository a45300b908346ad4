package io.tapvsock.stack.link;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import io.netty.util.collection.LongObjectMap;
import io.tapvsock.api.FrameCapture;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.PortListener;
import io.tapvsock.stack.core.DropCounts;
import io.tapvsock.stack.wire.EthernetHeader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A learning Ethernet switch (IEEE 802.1D transparent bridging, reduced to what a virtual network needs): the
 * source MAC of every accepted frame is learned against its port (the CAM table); frames for the gateway MAC go
 * to the gateway; broadcast and multicast go to every other port and to the gateway; unicast to a learned guest
 * MAC goes to that guest's port; unknown unicast is dropped (no flooding: guests only talk to the gateway and to
 * guests they have seen). Network loop only.
 *
 * <p>A {@link FrameCapture} sees each frame once: as it arrives from a port, or as the gateway sends it (frames
 * one guest forwards to another are not seen twice). {@link PortListener}s hear of a port's first frame and of a
 * port that leaves after one.
 */
public final class Switch {

    private static final System.Logger LOG = System.getLogger(Switch.class.getName());

    /** The largest frame a guest may hand over with segmentation offload: an IPv4 datagram of 64 KiB, tagged. */
    static final int MAX_OFFLOADED_FRAME = 65535 + EthernetHeader.LENGTH + EthernetHeader.VLAN_TAG_LENGTH;

    private final DropCounts drops;
    private final GatewayEndpoint gateway;
    /** MAC (low 48 bits) to the port it was last seen on. */
    private final LongObjectMap<SwitchPort> cam = new LongObjectHashMap<>();
    /** Indexed by port id; null where no port is attached. */
    private final List<SwitchPort> ports = new ArrayList<>();
    /** Ports written since the last flush. */
    private final List<SwitchPort> dirty = new ArrayList<>();

    private int mtu;
    private long gatewayMac;
    /** Null when nothing captures: then the data path pays one null check per frame. */
    private FrameCapture capture;
    private PortListener[] listeners = new PortListener[0];

    private long framesReceived;
    private long bytesReceived;
    private long framesSent;
    private long bytesSent;
    private long broadcastFrames;
    private long unknownUnicast;

    public Switch(DropCounts drops, GatewayEndpoint gateway, int mtu, MacAddress gatewayMac) {
        this.drops = drops;
        this.gateway = gateway;
        configure(mtu, gatewayMac);
    }

    /** New settings: frames longer than the new MTU are refused from now on. */
    public void configure(int mtu, MacAddress gatewayMac) {
        this.mtu = mtu;
        this.gatewayMac = gatewayMac.bits();
    }

    /** Sets (or, with null, removes) what sees every frame. */
    public void capture(FrameCapture newCapture) {
        capture = newCapture;
    }

    /** Replaces the listeners told of guests coming and going. */
    public void listeners(List<PortListener> newListeners) {
        listeners = newListeners.toArray(new PortListener[0]);
    }

    /** Attaches a guest link with the lowest free port id. */
    public SwitchPort attach(FrameSink sink, String description) {
        int id = ports.indexOf(null);
        if (id < 0) {
            id = ports.size();
            ports.add(null);
        }
        SwitchPort port = new SwitchPort(this, id, sink, description);
        ports.set(id, port);
        return port;
    }

    void detach(SwitchPort port, String failure) {
        if (!port.attached) {
            return;
        }
        port.attached = false;
        ports.set(port.id(), null);
        while (!ports.isEmpty() && ports.getLast() == null) {
            ports.removeLast();
        }
        cam.values().removeIf(owner -> owner == port);
        dirty.remove(port);
        port.dirty = false;
        gateway.detached(port);
        if (port.firstMac >= 0) {
            MacAddress mac = new MacAddress(port.firstMac);
            for (PortListener listener : listeners) {
                tell(() -> listener.guestDisconnected(port.id(), mac, port.description(), failure));
            }
        }
    }

    /** A listener that throws must not break the switch; it is logged. */
    private static void tell(Runnable event) {
        try {
            event.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a port listener failed", e);
        }
    }

    /**
     * One frame from a guest.
     *
     * @param frame transferred: callee releases
     * @param offloaded the guest left its TCP/UDP checksum (and, for TCP, segmentation) to its NIC
     */
    void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
        try {
            FrameCapture tap = capture;
            if (tap != null) {
                tap.capture(frame);
            }
            int len = frame.readableBytes();
            from.framesReceived++;
            from.bytesReceived += len;
            framesReceived++;
            bytesReceived += len;
            if (!from.attached) {
                drop(from, "switch-port-detached");
                return;
            }
            int start = frame.readerIndex();
            if (len < EthernetHeader.LENGTH) {
                drop(from, "ethernet-truncated");
                return;
            }
            int etherType = frame.getUnsignedShort(start + 12);
            int limit = mtu + EthernetHeader.LENGTH + (etherType == EthernetHeader.TYPE_VLAN ? EthernetHeader.VLAN_TAG_LENGTH : 0);
            // A TCP super-segment (segmentation offload) may be up to IPv4's 64 KiB; the gateway takes it whole.
            if (len > (offloaded ? MAX_OFFLOADED_FRAME : limit)) {
                drop(from, "ethernet-too-long");
                return;
            }
            switch (etherType) {
                case EthernetHeader.TYPE_IPV4, EthernetHeader.TYPE_ARP, EthernetHeader.TYPE_VLAN -> { }
                case EthernetHeader.TYPE_IPV6 -> {
                    drop(from, "ipv6-unsupported");
                    return;
                }
                default -> {
                    drop(from, "ethernet-unknown-type");
                    return;
                }
            }
            long source = EthernetHeader.getMac(frame, start + 6);
            if (EthernetHeader.isMulticast(source)) {
                drop(from, "ethernet-multicast-source"); // IEEE 802.3: a group address is never a source
                return;
            }
            if (source == gatewayMac) {
                drop(from, "ethernet-gateway-source"); // a guest must not pose as the gateway
                return;
            }
            cam.put(source, from);
            if (from.firstMac < 0) {
                announce(from, source);
            }
            long destination = EthernetHeader.getMac(frame, start);
            if (offloaded && destination == gatewayMac) {
                gateway.receive(from, frame, true); // the gateway skips the checksum instead
                return;
            }
            if (offloaded) {
                // Toward other guests a frame must be complete: their links may not offload.
                if (len > limit) {
                    drop(from, "switch-super-segment-to-guest");
                    return;
                }
                OffloadedFrames.completeChecksum(frame);
            }
            forward(from, frame, destination);
        } finally {
            frame.release();
        }
    }

    /** The first frame from a port: its guest is connected. */
    private void announce(SwitchPort port, long mac) {
        port.firstMac = mac;
        MacAddress address = new MacAddress(mac);
        for (PortListener listener : listeners) {
            tell(() -> listener.guestConnected(port.id(), address, port.description()));
        }
    }

    /** @param frame borrowed: not retained after return */
    private void forward(SwitchPort from, ByteBuf frame, long destination) {
        if (EthernetHeader.isMulticast(destination)) {
            broadcastFrames++;
            for (SwitchPort port : ports) {
                if (port != null && port != from) {
                    deliver(port, frame.retainedDuplicate());
                }
            }
            gateway.receive(from, frame, false);
        } else if (destination == gatewayMac) {
            gateway.receive(from, frame, false);
        } else {
            SwitchPort to = cam.get(destination);
            if (to == null) {
                unknownUnicast++;
                drop(from, "switch-unknown-unicast");
            } else if (to == from) {
                drop(from, "switch-same-port"); // the destination sits behind the sender's own link
            } else {
                deliver(to, frame.retain());
            }
        }
    }

    void endOfBurst(SwitchPort port) {
        if (port.attached) {
            gateway.endOfBurst(port);
        }
    }

    /**
     * Sends a frame from the gateway to the guest that owns {@code destination}, or to every port when it is a
     * broadcast/multicast address. Unknown unicast is dropped and counted.
     *
     * @param frame transferred: callee releases
     */
    public void sendFromGateway(long destination, ByteBuf frame) {
        captureSent(frame);
        if (EthernetHeader.isMulticast(destination)) {
            SwitchPort last = null;
            for (SwitchPort port : ports) {
                if (port != null) {
                    if (last != null) {
                        deliver(last, frame.retainedDuplicate());
                    }
                    last = port;
                }
            }
            if (last != null) {
                deliver(last, frame);
            } else {
                frame.release();
            }
            return;
        }
        SwitchPort to = portOf(destination, frame);
        if (to != null) {
            deliver(to, frame);
        }
    }

    /** @param frame borrowed: not retained after return */
    private void captureSent(ByteBuf frame) {
        FrameCapture tap = capture;
        if (tap != null) {
            tap.capture(frame);
        }
    }

    /** The port of a unicast MAC; null when unknown, with the frame released and the drop counted. */
    private SwitchPort portOf(long mac, ByteBuf frame) {
        SwitchPort to = cam.get(mac);
        if (to == null) {
            frame.release();
            unknownUnicast++;
            drops.count("switch-unknown-unicast");
        }
        return to;
    }

    /**
     * Queues a frame from the gateway on one port's sink; flushed by {@link #flush()}.
     *
     * @param frame transferred: callee releases
     */
    public void send(SwitchPort port, ByteBuf frame) {
        captureSent(frame);
        deliver(port, frame);
    }

    /**
     * Queues a frame on one port's sink, uncaptured (it was captured where it entered).
     *
     * @param frame transferred: callee releases
     */
    private void deliver(SwitchPort port, ByteBuf frame) {
        if (!port.attached) {
            frame.release();
            drop(port, "switch-port-detached");
            return;
        }
        countSent(port, frame);
        port.sink().send(frame);
    }

    /** Counts a frame going out on {@code port}, and puts the port on the list to flush. */
    private void countSent(SwitchPort port, ByteBuf frame) {
        int len = frame.readableBytes();
        port.framesSent++;
        port.bytesSent += len;
        framesSent++;
        bytesSent += len;
        if (!port.dirty) {
            port.dirty = true;
            dirty.add(port);
        }
    }

    /** True when the guest with {@code mac} sits behind a link that segments TCP (segmentation offload). */
    public boolean segmentsTcp(long mac) {
        SwitchPort to = cam.get(mac);
        return to != null && to.attached && to.sink().segmentsTcp();
    }

    /**
     * Sends a TCP super-segment from the gateway to the guest that owns {@code mac}, for its link to cut into
     * {@code segmentSize}-byte segments. When that link cannot (the guest moved to another port since the sender
     * asked), a frame within the MTU goes out with its checksum completed; a larger one is dropped and counted,
     * and the sender's retransmission finds the new link.
     *
     * @param frame transferred: callee releases. Its TCP checksum field holds the pseudo-header sum only.
     */
    public void sendSegmentedFromGateway(long mac, ByteBuf frame, int segmentSize, int mtu) {
        captureSent(frame);
        SwitchPort to = portOf(mac, frame);
        if (to == null) {
            return;
        }
        if (to.attached && to.sink().segmentsTcp()) {
            countSent(to, frame);
            to.sink().sendSegmented(frame, segmentSize);
            return;
        }
        if (frame.readableBytes() > mtu + EthernetHeader.LENGTH) {
            frame.release();
            drop(to, "switch-super-segment-to-guest");
            return;
        }
        OffloadedFrames.completeChecksum(frame);
        deliver(to, frame);
    }

    /** Flushes every sink written since the last flush. */
    public void flush() {
        for (int i = 0; i < dirty.size(); i++) {
            SwitchPort port = dirty.get(i);
            port.dirty = false;
            port.sink().flush();
        }
        dirty.clear();
    }

    /** The port a MAC was learned on, or null. */
    public SwitchPort portOf(long mac) {
        return cam.get(mac);
    }

    /** The attached ports, by id. */
    public List<SwitchPort> ports() {
        List<SwitchPort> attached = new ArrayList<>();
        for (SwitchPort port : ports) {
            if (port != null) {
                attached.add(port);
            }
        }
        return attached;
    }

    /** The CAM table: MAC to port id, sorted by MAC. */
    public Map<MacAddress, Integer> cam() {
        Map<MacAddress, Integer> table = new TreeMap<>((a, b) -> Long.compare(a.bits(), b.bits()));
        for (LongObjectMap.PrimitiveEntry<SwitchPort> entry : cam.entries()) {
            table.put(new MacAddress(entry.key()), entry.value().id());
        }
        return table;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Frame counters for /stats under "Ethernet". */
    public Map<String, Object> ethernetSnapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("FramesReceived", framesReceived);
        snapshot.put("FramesSent", framesSent);
        snapshot.put("BroadcastFramesReceived", broadcastFrames);
        return snapshot;
    }

    /** Ports and the CAM table for /stats under "Switch". */
    public Map<String, Object> snapshot() {
        Map<String, Object> portStats = new LinkedHashMap<>();
        for (SwitchPort port : ports()) {
            portStats.put(Integer.toString(port.id()), port.snapshot());
        }
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("Ports", portStats);
        snapshot.put("CamEntries", (long) cam.size());
        // Broadcast and multicast frames from guests, each sent to every other port and the gateway.
        snapshot.put("FloodedFrames", broadcastFrames);
        snapshot.put("UnknownUnicastDropped", unknownUnicast);
        return snapshot;
    }

    private void drop(SwitchPort port, String reason) {
        port.drops++;
        drops.count(reason);
    }
}
