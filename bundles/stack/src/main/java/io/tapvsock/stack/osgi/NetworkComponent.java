package io.tapvsock.stack.osgi;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tapvsock.api.FrameCapture;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.GuestUdpConnector;
import io.tapvsock.api.GuestUdpEndpoint;
import io.tapvsock.api.GuestUdpReceiver;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.NetworkPort;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.PortListener;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.stack.core.HostChannels;
import io.tapvsock.stack.core.Stack;
import io.tapvsock.stack.core.StackLimits;
import io.tapvsock.stack.core.StackNetwork;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The DS adapter of the virtual network: reads the configuration ({@link NetworkSettings#PID} with
 * {@link NetworkSettings#FLAGS_PID} merged over it, which DS does for a component with both PIDs), starts the
 * network loop, builds the {@link Stack} and publishes it as {@link VirtualNetwork}, {@link GuestTcpConnector} and
 * {@link GuestUdpConnector}. A refused configuration
 * change is logged and the previous one stays in force.
 */
@Component(service = {VirtualNetwork.class, GuestTcpConnector.class, GuestUdpConnector.class, StackControl.class},
        configurationPid = {NetworkSettings.PID, NetworkSettings.FLAGS_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class NetworkComponent implements VirtualNetwork, GuestTcpConnector, GuestUdpConnector, StackControl {

    /**
     * Documents the keys for metatype (designated for {@link NetworkSettings#PID}: DS allows a Designate only on a
     * single-PID component); the values are read from the merged raw properties by NetworkSettings.
     */
    @ObjectClassDefinition(pid = NetworkSettings.PID, name = "tapvsock network",
            description = "The virtual network: gvproxy's stack settings")
    public @interface Config {
        @AttributeDefinition(description = "The virtual network in CIDR form")
        String subnet() default "192.168.127.0/24";

        @AttributeDefinition(description = "The gateway's address (DHCP, DNS, ICMP echo); default: .1 of the subnet")
        String gatewayIP() default "";

        @AttributeDefinition(description = "The gateway's MAC address")
        String gatewayMacAddress() default "5a:94:ef:e4:0c:dd";

        @AttributeDefinition(description = "The address of the default guest MAC; default: .2 of the subnet")
        String deviceIP() default "";

        @AttributeDefinition(description = "The address the guest reaches the host at; default: last usable")
        String hostIP() default "";

        @AttributeDefinition(description = "Link MTU")
        int mtu() default 1500;

        @AttributeDefinition(description = "Destination rewrites, virtual=host; default: hostIP=127.0.0.1")
        String[] nat();

        @AttributeDefinition(description = "Further addresses the gateway answers ARP for; default: hostIP")
        String[] gatewayVirtualIPs();

        @AttributeDefinition(description = "Allow guest traffic to 169.254.0.0/16")
        boolean ec2MetadataAccess() default false;

        @AttributeDefinition(description = "Seconds without traffic after which a UDP flow is closed")
        long udpFlowIdleSeconds() default 90;

        @AttributeDefinition(description = "At most this many UDP flows; a new one closes the least recently used")
        int udpMaxFlows() default 4096;

        @AttributeDefinition(description = "At most this many TCP connections; a guest SYN beyond gets RST")
        int tcpMaxConnections() default 16384;

        @AttributeDefinition(description = "Host connects in flight per destination; further SYNs wait for a retry")
        int tcpMaxPendingConnects() default 128;

        @AttributeDefinition(description = "Seconds a host connect may take before the guest gets RST")
        int tcpConnectTimeoutSeconds() default 30;

        @AttributeDefinition(description = "Bytes buffered per connection toward the host (the guest's window)")
        int tcpBufferBytes() default 4194304;

        @AttributeDefinition(description = "Seconds of silence before keepalive probes to the guest; 0 = off")
        int tcpKeepaliveSeconds() default 0;
    }

    private static final System.Logger LOG = System.getLogger(NetworkComponent.class.getName());

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Stack stack;
    private final StackNetwork network;
    // One map per kind: a component that publishes both kinds as one service (service-dns: UDP and TCP 53) is bound
    // to each reference with the same ComponentServiceObjects, so one map would let one kind's entry replace the other's.
    private final Map<ComponentServiceObjects<?>, BoundService> gatewayUdpServices = new ConcurrentHashMap<>();
    private final Map<ComponentServiceObjects<?>, BoundService> gatewayTcpServices = new ConcurrentHashMap<>();
    private final List<PortListener> portListeners = new CopyOnWriteArrayList<>();
    /** The capture handed to the stack; guarded by this. */
    private FrameCapture capture;

    @Activate
    public NetworkComponent(Map<String, Object> properties) {
        NetworkSettings settings;
        StackLimits limits;
        try {
            settings = NetworkSettings.fromProperties(properties);
            limits = StackLimits.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "configuration refused: " + e.getMessage());
            throw e;
        }
        HostChannels hostChannels = HostChannels.detect();
        group = new MultiThreadIoEventLoopGroup(1, new NetworkThreadFactory(), hostChannels.ioHandlerFactory());
        loop = group.next();
        NetworkSettings initial = settings;
        try {
            stack = LoopCall.call(loop, () -> new Stack(loop, PooledByteBufAllocator.DEFAULT, hostChannels,
                    System::nanoTime, initial, limits));
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        network = new StackNetwork(stack);
        LOG.log(System.Logger.Level.INFO, () -> "virtual network " + initial.subnet() + ", gateway "
                + initial.gatewayIp() + " (" + initial.gatewayMac() + "), MTU " + initial.mtu() + ", "
                + (hostChannels.nativeEpoll() ? "epoll" : "NIO"));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        NetworkSettings settings;
        StackLimits limits;
        try {
            settings = NetworkSettings.fromProperties(properties);
            limits = StackLimits.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.WARNING, "configuration refused: " + e.getMessage()
                    + "; keeping the previous one");
            return;
        }
        loop.execute(() -> stack.configure(settings, limits));
        LOG.log(System.Logger.Level.INFO, () -> "network settings updated: " + settings);
    }

    @Deactivate
    void deactivate() {
        try {
            LoopCall.call(loop, () -> {
                stack.close();
                return null;
            });
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** Bound as service objects, fetched on first use: see LazyServiceObject for why. */
    @Reference(service = GatewayUdpService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeGatewayUdpService")
    void addGatewayUdpService(ComponentServiceObjects<GatewayUdpService> objects, Map<String, Object> properties) {
        int port = port(properties, GatewayUdpService.PORT, "GatewayUdpService");
        if (port > 0) {
            LazyServiceObject<GatewayUdpService> lazy = new LazyServiceObject<>(objects);
            GatewayUdpService service = (datagram, replier) -> {
                GatewayUdpService target = lazy.get();
                if (target != null) {
                    target.receive(datagram, replier);
                }
            };
            gatewayUdpServices.put(objects, new BoundService(port, service, lazy));
            stack.addUdpService(port, service);
        }
    }

    void removeGatewayUdpService(ComponentServiceObjects<GatewayUdpService> objects) {
        BoundService bound = gatewayUdpServices.remove(objects);
        if (bound != null) {
            stack.removeUdpService(bound.port(), (GatewayUdpService) bound.service());
            loop.execute(bound.lazy()::release);
        }
    }

    /** Bound as service objects, fetched on first use: see LazyServiceObject for why. */
    @Reference(service = GatewayTcpService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "removeGatewayTcpService")
    void addGatewayTcpService(ComponentServiceObjects<GatewayTcpService> objects, Map<String, Object> properties) {
        int port = port(properties, GatewayTcpService.PORT, "GatewayTcpService");
        if (port > 0) {
            LazyServiceObject<GatewayTcpService> lazy = new LazyServiceObject<>(objects);
            GatewayTcpService service = channel -> {
                GatewayTcpService target = lazy.get();
                if (target == null) {
                    throw new IllegalStateException("the service on TCP port " + port + " is going away");
                }
                target.accept(channel);
            };
            gatewayTcpServices.put(objects, new BoundService(port, service, lazy));
            stack.addTcpService(port, service);
        }
    }

    void removeGatewayTcpService(ComponentServiceObjects<GatewayTcpService> objects) {
        BoundService bound = gatewayTcpServices.remove(objects);
        if (bound != null) {
            stack.removeTcpService(bound.port(), (GatewayTcpService) bound.service());
            loop.execute(bound.lazy()::release);
        }
    }

    /**
     * What captures every frame (service-capture); at most one, the highest ranked. A greedy replacement binds
     * the new one before unbinding the old, so an unbind clears only the capture it installed.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unsetCapture")
    synchronized void setCapture(FrameCapture newCapture) {
        capture = newCapture;
        loop.execute(() -> stack.capture(newCapture));
    }

    synchronized void unsetCapture(FrameCapture oldCapture) {
        if (capture == oldCapture) {
            capture = null;
            loop.execute(() -> stack.capture(null));
        }
    }

    /** Told of guests coming and going (service-notification). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removePortListener")
    synchronized void addPortListener(PortListener listener) {
        portListeners.add(listener);
        List<PortListener> now = List.copyOf(portListeners);
        loop.execute(() -> stack.portListeners(now));
    }

    synchronized void removePortListener(PortListener listener) {
        portListeners.remove(listener);
        List<PortListener> now = List.copyOf(portListeners);
        loop.execute(() -> stack.portListeners(now));
    }

    /** A gateway service as the stack holds it: the adapter registered for its port, and the lazy service object. */
    private record BoundService(int port, Object service, LazyServiceObject<?> lazy) {
    }

    private static int port(Map<String, Object> properties, String key, String what) {
        Object value = properties.get(key);
        try {
            int port = value instanceof Number number ? number.intValue() : Integer.parseInt(String.valueOf(value).trim());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        LOG.log(System.Logger.Level.WARNING, what + " ignored: " + key + " is \"" + value + "\", not a port 1..65535");
        return -1;
    }

    // ---- GuestTcpConnector

    @Override
    public ChannelFuture connect(InetSocketAddress source, InetSocketAddress destination, ChannelHandler handler) {
        return stack.connectTcp(source, destination, handler);
    }

    // ---- GuestUdpConnector

    @Override
    public GuestUdpEndpoint open(InetSocketAddress local, GuestUdpReceiver receiver) throws IOException {
        if (local.isUnresolved() || !(local.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("a UDP endpoint needs an IPv4 address: " + local);
        }
        int address = Ipv4Address.fromBytes(local.getAddress().getAddress()).bits();
        if (loop.inEventLoop()) {
            // A forward opens a flow's endpoint when its host socket reads, on this loop: waiting would deadlock.
            return stack.openUdpEndpoint(address, local.getPort(), receiver);
        }
        try {
            return loop.submit(() -> stack.openUdpEndpoint(address, local.getPort(), receiver))
                    .get(LoopCall.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("opening a UDP endpoint failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening a UDP endpoint");
        } catch (TimeoutException e) {
            throw new IOException("the network loop did not answer within " + LoopCall.TIMEOUT_SECONDS + " s", e);
        }
    }

    // ---- VirtualNetwork

    @Override
    public EventLoop eventLoop() {
        return network.eventLoop();
    }

    @Override
    public NetworkPort attach(FrameSink sink, String description) {
        return network.attach(sink, description);
    }

    @Override
    public NetworkSettings settings() {
        return network.settings();
    }

    // ---- StackControl

    @Override
    public Map<String, Object> stats() {
        return LoopCall.call(loop, stack::snapshot);
    }

    @Override
    public Map<MacAddress, Integer> cam() {
        return LoopCall.call(loop, stack::cam);
    }

    @Override
    public List<String> ports() {
        return LoopCall.call(loop, stack::describePorts);
    }

    @Override
    public List<String> udpFlows() {
        return LoopCall.call(loop, stack::describeUdpFlows);
    }

    @Override
    public List<String> icmpFlows() {
        return LoopCall.call(loop, stack::describeIcmpFlows);
    }

    @Override
    public Map<Ipv4Address, String> neighbours() {
        return LoopCall.call(loop, stack::neighbours);
    }

    /** One platform thread named "tapvsock-network" (a FastThreadLocalThread, which Netty's pools favour). */
    private static final class NetworkThreadFactory extends DefaultThreadFactory {

        NetworkThreadFactory() {
            super("tapvsock-network", true);
        }

        @Override
        protected Thread newThread(Runnable runnable, String name) {
            return super.newThread(runnable, "tapvsock-network");
        }
    }
}
