package io.tapvsock.stack.core;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.tapvsock.api.FrameCapture;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.GuestUdpEndpoint;
import io.tapvsock.api.GuestUdpReceiver;
import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.PortListener;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.stack.icmp.IcmpErrors;
import io.tapvsock.stack.icmp.IcmpForwarder;
import io.tapvsock.stack.icmp.IcmpSocketOpener;
import io.tapvsock.stack.link.GatewayEndpoint;
import io.tapvsock.stack.link.Switch;
import io.tapvsock.stack.link.SwitchPort;
import io.tapvsock.stack.net.ArpHandler;
import io.tapvsock.stack.net.GatewayAddresses;
import io.tapvsock.stack.net.GatewayNic;
import io.tapvsock.stack.net.GatewayUdpReplier;
import io.tapvsock.stack.net.IcmpEcho;
import io.tapvsock.stack.net.Ipv4Output;
import io.tapvsock.stack.net.NeighbourTable;
import io.tapvsock.stack.net.TransportDispatch;
import io.tapvsock.stack.tcp.GuestChannel;
import io.tapvsock.stack.tcp.TcpNat;
import io.tapvsock.stack.udp.UdpEndpoints;
import io.tapvsock.stack.udp.UdpNat;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * The whole virtual network wired together: switch, gateway NIC (ARP, IPv4, ICMP echo), gateway UDP services,
 * UDP NAT, TCP NAT and ICMP echo forwarding; and the {@link StackContext} the protocol layers use. Plain Java:
 * the DS component and the tests build it with {@code new}. Every method runs on the network loop unless its doc
 * says otherwise.
 */
public final class Stack implements StackContext, GatewayEndpoint, TransportDispatch {

    private static final System.Logger LOG = System.getLogger(Stack.class.getName());
    private static final int DHCP_SERVER_PORT = 67;

    private final EventLoop loop;
    private final ByteBufAllocator alloc;
    private final HostChannels hostChannels;
    private final LongSupplier clock;
    private final DropCounts drops = new DropCounts();
    private final NeighbourTable neighbours = new NeighbourTable();
    private final Switch switch_;
    private final ArpHandler arp;
    private final Ipv4Output output;
    private final IcmpEcho icmp;
    private final GatewayNic nic;
    private final GatewayUdpReplier replier;
    private final UdpNat udp;
    private final UdpEndpoints udpEndpoints;
    private final TcpNat tcp;
    private final IcmpErrors icmpErrors;
    private final IcmpForwarder icmpForwarder;

    /** Written on the loop, read anywhere. */
    private volatile NetworkSettings settings;
    private GatewayAddresses addresses;
    /** Port to service; replaced whole (copy on write) by any thread, read by the loop. */
    private volatile IntObjectMap<GatewayUdpService> udpServices = new IntObjectHashMap<>();
    /** Port to TCP service, the same way. */
    private volatile IntObjectMap<GatewayTcpService> tcpServices = new IntObjectHashMap<>();
    private long gatewayUdpPackets;

    /**
     * @param clock monotonic nanoseconds ({@code System::nanoTime} in the daemon, a manual clock in tests)
     */
    public Stack(EventLoop loop, ByteBufAllocator alloc, HostChannels hostChannels, LongSupplier clock,
            NetworkSettings settings, StackLimits limits) {
        this(loop, alloc, hostChannels, clock, settings, limits, IcmpSocketOpener.SYSTEM);
    }

    /**
     * @param clock monotonic nanoseconds ({@code System::nanoTime} in the daemon, a manual clock in tests)
     * @param icmpSockets opens the host ICMP sockets of echo forwarding (tests open them in a namespace of theirs)
     */
    public Stack(EventLoop loop, ByteBufAllocator alloc, HostChannels hostChannels, LongSupplier clock,
            NetworkSettings settings, StackLimits limits, IcmpSocketOpener icmpSockets) {
        this.loop = loop;
        this.alloc = alloc;
        this.hostChannels = hostChannels;
        this.clock = clock;
        this.settings = settings;
        this.addresses = new GatewayAddresses(settings);
        this.switch_ = new Switch(drops, this, settings.mtu(), settings.gatewayMac());
        this.arp = new ArpHandler(this, switch_, neighbours, addresses);
        this.output = new Ipv4Output(this, switch_, neighbours, arp, addresses);
        neighbours.onLearned(output::neighbourLearned);
        this.icmp = new IcmpEcho(this, output, this);
        this.nic = new GatewayNic(this, neighbours, arp, icmp, this, addresses);
        this.replier = new GatewayUdpReplier(this, output);
        this.icmpErrors = new IcmpErrors(this);
        this.icmpForwarder = new IcmpForwarder(this, icmpSockets, IcmpForwarder.DEFAULT_IDLE_SECONDS,
                IcmpForwarder.DEFAULT_MAX_FLOWS);
        this.udp = new UdpNat(this, icmpErrors, limits.udpFlowIdleSeconds(), limits.udpMaxFlows());
        this.udpEndpoints = new UdpEndpoints(this);
        this.tcp = new TcpNat(this, limits.tcp());
    }

    /** Attaches a guest link to the switch. */
    public NetworkPort attach(FrameSink sink, String description) {
        SwitchPort port = switch_.attach(sink, description);
        LOG.log(System.Logger.Level.INFO, () -> "attached " + port);
        return port;
    }

    /** Sets what sees every frame of the network, or removes it with null. Network loop only. */
    public void capture(FrameCapture capture) {
        switch_.capture(capture);
    }

    /** Replaces the listeners told of guests coming and going. Network loop only. */
    public void portListeners(List<PortListener> listeners) {
        switch_.listeners(listeners);
    }

    /** Puts new settings and limits in force; learned neighbours survive unless the subnet changed. */
    public void configure(NetworkSettings newSettings, StackLimits limits) {
        if (!newSettings.subnet().equals(settings.subnet())) {
            neighbours.clear();
            output.dropHeld();
        }
        settings = newSettings;
        addresses = new GatewayAddresses(newSettings);
        switch_.configure(newSettings.mtu(), newSettings.gatewayMac());
        arp.configure(addresses);
        output.configure(addresses);
        nic.configure(addresses);
        udp.configure(limits.udpFlowIdleSeconds(), limits.udpMaxFlows());
        tcp.configure(limits.tcp());
    }

    /** Registers the service for a gateway UDP port; the last one registered for a port serves it. Any thread. */
    public synchronized void addUdpService(int port, GatewayUdpService service) {
        IntObjectMap<GatewayUdpService> copy = new IntObjectHashMap<>();
        copy.putAll(udpServices);
        copy.put(port, service);
        udpServices = copy;
    }

    /** Unregisters {@code service} from {@code port} if it still serves it. Any thread. */
    public synchronized void removeUdpService(int port, GatewayUdpService service) {
        if (udpServices.get(port) != service) {
            return;
        }
        IntObjectMap<GatewayUdpService> copy = new IntObjectHashMap<>();
        copy.putAll(udpServices);
        copy.remove(port);
        udpServices = copy;
    }

    /** Registers the service for a gateway TCP port; the last one registered for a port serves it. Any thread. */
    public synchronized void addTcpService(int port, GatewayTcpService service) {
        IntObjectMap<GatewayTcpService> copy = new IntObjectHashMap<>();
        copy.putAll(tcpServices);
        copy.put(port, service);
        tcpServices = copy;
    }

    /** Unregisters it, if it still serves that port. Connections it serves stay until they end. Any thread. */
    public synchronized void removeTcpService(int port, GatewayTcpService service) {
        if (tcpServices.get(port) != service) {
            return;
        }
        IntObjectMap<GatewayTcpService> copy = new IntObjectHashMap<>();
        copy.putAll(tcpServices);
        copy.remove(port);
        tcpServices = copy;
    }

    /**
     * Opens a TCP connection into a guest (GuestTcpConnector). Any thread.
     *
     * @param handler added to the channel's pipeline before the SYN goes out
     */
    public ChannelFuture connectTcp(InetSocketAddress source, InetSocketAddress destination, ChannelHandler handler) {
        GuestChannel channel = new GuestChannel(source, destination);
        ChannelPromise promise = new DefaultChannelPromise(channel, loop);
        String bad = badConnectAddresses(source, destination);
        if (bad != null) {
            promise.setFailure(new IllegalArgumentException(bad));
            return promise;
        }
        channel.pipeline().addLast(handler);
        int sourceIp = Ipv4Address.fromBytes(source.getAddress().getAddress()).bits();
        int destinationIp = Ipv4Address.fromBytes(destination.getAddress().getAddress()).bits();
        try {
            loop.execute(() -> tcp.connect(channel, promise, sourceIp, source.getPort(), destinationIp,
                    destination.getPort()));
        } catch (RejectedExecutionException e) {
            promise.setFailure(new ConnectException("the network is closing"));
        }
        return promise;
    }

    /**
     * Opens a UDP endpoint inside the network (GuestUdpConnector).
     *
     * @param port 0 picks a free one
     * @throws BindException when that address and port are taken
     */
    public GuestUdpEndpoint openUdpEndpoint(int address, int port, GuestUdpReceiver receiver) throws BindException {
        return udpEndpoints.open(address, port, receiver);
    }

    private static String badConnectAddresses(InetSocketAddress source, InetSocketAddress destination) {
        if (source.isUnresolved() || !(source.getAddress() instanceof Inet4Address)) {
            return "source must be an IPv4 address: " + source;
        }
        if (destination.isUnresolved() || !(destination.getAddress() instanceof Inet4Address)) {
            return "destination must be an IPv4 address: " + destination;
        }
        if (destination.getPort() == 0) {
            return "destination port must be 1..65535: " + destination;
        }
        return null;
    }

    // ---- GatewayEndpoint: the switch's uplink

    /** @param frame borrowed: not retained after return */
    @Override
    public void receive(SwitchPort from, ByteBuf frame, boolean offloaded) {
        nic.receive(from, frame, offloaded);
    }

    @Override
    public void endOfBurst(SwitchPort port) {
        tcp.endOfBurst();
        udp.flushHost();
        switch_.flush();
    }

    @Override
    public void detached(SwitchPort port) {
        neighbours.forget(port);
        LOG.log(System.Logger.Level.INFO, () -> "detached " + port);
    }

    // ---- TransportDispatch: verified transport packets from the NIC

    /** @param payload borrowed: not retained after return */
    @Override
    public void udp(long sourceMac, int source, int sourcePort, int destination, int destinationPort, ByteBuf payload,
            int ipHeaderOffset) {
        if (destination == addresses.gatewayIp()
                && udpEndpoints.receive(sourceMac, source, sourcePort, destination, destinationPort, payload)) {
            return; // an endpoint on the gateway's address (a UDP forward with sourceFromGateway) took it
        }
        if (destination == addresses.gatewayIp() || destination == -1 && destinationPort == DHCP_SERVER_PORT) {
            toGatewayService(sourceMac, source, sourcePort, destination, destinationPort, payload);
        } else if (addresses.isBroadcast(destination)) {
            drop("udp-broadcast");
        } else if (!udpEndpoints.receive(sourceMac, source, sourcePort, destination, destinationPort, payload)) {
            udp.receive(source, sourcePort, destination, destinationPort, payload, ipHeaderOffset);
        }
    }

    private void toGatewayService(long sourceMac, int source, int sourcePort, int destination, int destinationPort,
            ByteBuf payload) {
        GatewayUdpService service = udpServices.get(destinationPort);
        if (service == null) {
            drop("udp-gateway-port-closed");
            return;
        }
        gatewayUdpPackets++;
        UdpDatagram datagram = new UdpDatagram(new MacAddress(sourceMac), new Ipv4Address(source), sourcePort,
                new Ipv4Address(destination), destinationPort, payload);
        replier.open(addresses.gatewayIp(), destinationPort);
        try {
            service.receive(datagram, replier);
        } catch (RuntimeException e) {
            drop("udp-gateway-service-failed");
            LOG.log(System.Logger.Level.WARNING, "gateway UDP service on port " + destinationPort + " failed", e);
        } finally {
            replier.close();
        }
    }

    /** @param segment borrowed: not retained after return */
    @Override
    public void tcp(int source, int destination, ByteBuf segment) {
        tcp.receive(source, destination, segment);
    }

    /** @param message borrowed: not retained after return */
    @Override
    public void icmpEchoRequest(int source, int destination, int ttl, ByteBuf message) {
        icmpForwarder.forward(source, destination, ttl, message);
    }

    // ---- StackContext

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public ByteBufAllocator alloc() {
        return alloc;
    }

    @Override
    public long nanoTime() {
        return clock.getAsLong();
    }

    /** Any thread. */
    @Override
    public NetworkSettings settings() {
        return settings;
    }

    @Override
    public HostChannels hostChannels() {
        return hostChannels;
    }

    /** @param l4 transferred: callee releases */
    @Override
    public void sendIpv4(int source, int destination, int protocol, ByteBuf l4) {
        output.send(source, destination, protocol, l4);
    }

    @Override
    public boolean segmentsTcpToward(int destination) {
        return output.segmentsTcpToward(destination);
    }

    @Override
    public void sendTcpSegmented(int source, int destination, ByteBuf l4, int segmentSize) {
        output.sendTcpSegmented(source, destination, l4, segmentSize);
    }

    @Override
    public void flush() {
        switch_.flush();
    }

    @Override
    public InetAddress hostAddressFor(int destination) {
        NetworkSettings current = settings;
        Ipv4Address address = new Ipv4Address(destination);
        Ipv4Address target = current.nat().get(address);
        if (target == null) {
            if (destination == 0 || destination == addresses.gatewayIp() || address.isMulticast()
                    || destination == -1 || address.isLoopback() || current.subnet().contains(address)) {
                return null; // nothing on the host answers for these; the subnet's own addresses are guests
            }
            if (address.isLinkLocal() && !current.ec2MetadataAccess()) {
                return null;
            }
            target = address;
        }
        try {
            return InetAddress.getByAddress(target.toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }

    @Override
    public GatewayTcpService gatewayTcpService(int destination, int port) {
        return destination == addresses.gatewayIp() ? tcpServices.get(port) : null;
    }

    @Override
    public void drop(String reason) {
        drops.count(reason);
    }

    // ---- inspection

    /** All counters, shaped like gvproxy's /stats. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("BytesSent", switch_.bytesSent());
        snapshot.put("BytesReceived", switch_.bytesReceived());
        snapshot.put("Ethernet", switch_.ethernetSnapshot());
        snapshot.put("ARP", arp.snapshot());
        Map<String, Object> ip = new LinkedHashMap<>(nic.ipSnapshot());
        ip.putAll(output.snapshot());
        snapshot.put("IP", ip);
        Map<String, Object> forwarding = icmpForwarder.snapshot();
        Map<String, Object> icmpStats = icmp.snapshot((Long) forwarding.get("EchoRepliesForwarded"),
                icmpErrors.destinationUnreachableSent());
        icmpStats.put("Forwarding", forwarding);
        snapshot.put("ICMP", icmpStats);
        Map<String, Object> udpStats = new LinkedHashMap<>(nic.udpSnapshot());
        udpStats.put("GatewayServicePackets", gatewayUdpPackets);
        udpStats.putAll(udp.snapshot());
        udpStats.putAll(udpEndpoints.snapshot());
        snapshot.put("UDP", udpStats);
        Map<String, Object> tcpStats = new LinkedHashMap<>(nic.tcpSnapshot());
        tcpStats.putAll(tcp.snapshot());
        snapshot.put("TCP", tcpStats);
        snapshot.put("Drops", drops.snapshot());
        snapshot.put("Switch", switch_.snapshot());
        Map<String, Object> flows = new LinkedHashMap<>();
        flows.put("TCP", tcp.connectionsByState());
        flows.put("UDP", (long) udp.flowCount());
        flows.put("ICMP", (long) icmpForwarder.flowCount());
        snapshot.put("Flows", flows);
        return snapshot;
    }

    public DropCounts drops() {
        return drops;
    }

    /** MAC to port id, sorted by MAC. */
    public Map<MacAddress, Integer> cam() {
        return switch_.cam();
    }

    /** One line per attached port. */
    public List<String> describePorts() {
        List<String> lines = new ArrayList<>();
        for (SwitchPort port : switch_.ports()) {
            Map<String, Object> stats = port.snapshot();
            lines.add(port.id() + " " + port.description() + ": received " + stats.get("FramesReceived")
                    + " frames/" + stats.get("BytesReceived") + " bytes, sent " + stats.get("FramesSent") + " frames/"
                    + stats.get("BytesSent") + " bytes, dropped " + stats.get("Dropped"));
        }
        return lines;
    }

    /** One line per UDP flow. */
    public List<String> describeUdpFlows() {
        return udp.describeFlows();
    }

    /** One line per ICMP echo flow. */
    public List<String> describeIcmpFlows() {
        return icmpForwarder.describeFlows();
    }

    public int icmpFlowCount() {
        return icmpForwarder.flowCount();
    }

    /** IPv4 to "mac port N". */
    public Map<Ipv4Address, String> neighbours() {
        return neighbours.entries();
    }

    public int udpFlowCount() {
        return udp.flowCount();
    }

    public int tcpConnectionCount() {
        return tcp.connectionCount();
    }

    /** Expires idle UDP and ICMP flows now (the scheduled sweeps do this by themselves). */
    public void expireIdleFlows() {
        udp.expireIdle();
        icmpForwarder.expireIdle();
    }

    /** Closes every flow and connection; ports stay attached until their transports detach them. */
    public void close() {
        udp.close();
        udpEndpoints.close();
        tcp.close();
        icmpForwarder.close();
        switch_.flush();
        output.dropHeld(); // after the closes above, which may still have sent
    }
}
