package io.tapvsock.service.dns;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.Ipv4Address;
import io.tapvsock.api.MacAddress;
import io.tapvsock.api.StatsSource;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.api.UdpReplier;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.dns.core.DefaultZones;
import io.tapvsock.service.dns.core.DnsConfig;
import io.tapvsock.service.dns.core.DnsCounters;
import io.tapvsock.service.dns.core.DnsServer;
import io.tapvsock.service.dns.core.Zone;
import io.tapvsock.service.dns.core.Zones;
import io.tapvsock.service.dns.upstream.ForwarderSettings;
import io.tapvsock.service.dns.upstream.NettyForwarder;
import io.tapvsock.service.dns.upstream.UpstreamServers;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The DNS server on gateway port 53 (UDP and TCP), its counters ("service-dns" in /stats) and its zones: a thin adapter over
 * {@link DnsServer}. A configuration that fails validation is refused with a logged reason and the previous one
 * stays in force (at activation: the defaults).
 */
@Component(configurationPid = DnsComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {GatewayUdpService.class, GatewayTcpService.class, StatsSource.class, DnsZoneRegistry.class},
        property = {GatewayUdpService.PORT + ":Integer=53", GatewayTcpService.PORT + ":Integer=53",
                StatsSource.NAME + "=service-dns"})
@Designate(ocd = DnsComponent.Config.class)
public final class DnsComponent implements GatewayUdpService, GatewayTcpService, StatsSource, DnsZoneRegistry {

    public static final String PID = "io.tapvsock.service.dns";

    private static final System.Logger LOG = System.getLogger(DnsComponent.class.getName());
    /** IPv4 and UDP headers: what the MTU leaves for a DNS message. */
    private static final int IP_UDP_HEADERS = 28;

    @ObjectClassDefinition(name = "tapvsock DNS server",
            description = "DNS on the gateway address: local zones, forwarding to the host's resolvers")
    public @interface Config {

        @AttributeDefinition(required = false, description = "Local zones as a JSON array in gvproxy's shape, "
                + "[{\"Name\":\"z.\",\"Records\":[{\"Name\":\"a\",\"IP\":\"1.2.3.4\"}],\"DefaultIP\":\"\"}]; "
                + "empty: containers.internal. and docker.internal. with gateway and host")
        String zones() default "";

        @AttributeDefinition(required = false, description = "Upstream resolvers, IP or IP:PORT or [IPv6]:PORT; "
                + "empty: the nameservers of resolvConf")
        String[] upstreams() default {};

        @AttributeDefinition(description = "The file that lists the host's resolvers; read again when it changes")
        String resolvConf() default DnsConfig.DEFAULT_RESOLV_CONF;

        @AttributeDefinition(description = "How long one upstream attempt waits, in milliseconds", min = "1")
        int timeoutMillis() default DnsConfig.DEFAULT_TIMEOUT_MILLIS;

        @AttributeDefinition(description = "Upstream attempts per query, over the servers in turn", min = "1")
        int attempts() default DnsConfig.DEFAULT_ATTEMPTS;

        @AttributeDefinition(description = "The most queries upstream at once; more get SERVFAIL", min = "1")
        int maxInFlight() default DnsConfig.DEFAULT_MAX_IN_FLIGHT;
    }

    private final VirtualNetwork network;
    private final DnsCounters counters = new DnsCounters();
    private final Zones zones;
    private final NettyForwarder forwarder;
    private final DnsServer server;
    private volatile DnsConfig config;

    @Activate
    public DnsComponent(@Reference(name = "network") VirtualNetwork network, Map<String, Object> properties) {
        this.network = network;
        DnsConfig initial;
        try {
            initial = DnsConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "DNS configuration " + PID + " refused, using the defaults: " + e.getMessage());
            initial = DnsConfig.defaults();
        }
        this.config = initial;
        this.zones = new Zones(zonesOf(initial));
        this.forwarder = new NettyForwarder(network.eventLoop(), forwarderSettings(initial), counters,
                ByteBufAllocator.DEFAULT);
        this.server = new DnsServer(zones, forwarder, counters, ByteBufAllocator.DEFAULT);
        LOG.log(Level.INFO, "DNS server started: zones {0}; DNS upstreams: {1}",
                zones.list().stream().map(Zone::name).toList(), upstreamsText(initial));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        DnsConfig next;
        try {
            next = DnsConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "DNS configuration " + PID + " refused, the previous one stays: " + e.getMessage());
            return;
        }
        forwarder.reconfigure(forwarderSettings(next));
        // Said once per change, so an operator (and a test) can tell when queries go to the new servers.
        if (!upstreamsText(next).equals(upstreamsText(config))) {
            LOG.log(Level.INFO, "DNS upstreams: {0}", upstreamsText(next));
        }
        // Zones added through the API or the shell stay unless the configured zones themselves changed.
        if (!next.zonesJson().equals(config.zonesJson())) {
            zones.replaceAll(zonesOf(next));
            LOG.log(Level.INFO, "DNS zones replaced by the configuration: {0}",
                    zones.list().stream().map(Zone::name).toList());
        }
        config = next;
    }

    @Deactivate
    void deactivate() {
        EventLoop loop = network.eventLoop();
        Runnable stop = forwarder::close;
        if (loop.inEventLoop()) {
            stop.run();
            return;
        }
        try {
            loop.submit(stop).get(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            // The network loop is already gone, and with it every channel the forwarder had.
        } catch (ExecutionException | TimeoutException e) {
            LOG.log(Level.WARNING, "DNS server stop on the network loop: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** "127.0.0.1:5353, [::1]:53", or the resolv.conf they come from when none is configured. */
    static String upstreamsText(DnsConfig dnsConfig) {
        if (dnsConfig.upstreams().isEmpty()) {
            return "the nameservers of " + dnsConfig.resolvConf();
        }
        return dnsConfig.upstreams().stream().map(address -> {
            String host = address.getAddress() == null ? address.getHostString()
                    : address.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
        }).collect(Collectors.joining(", "));
    }

    private List<Zone> zonesOf(DnsConfig dnsConfig) {
        return dnsConfig.zones() != null ? dnsConfig.zones() : DefaultZones.of(network.settings());
    }

    private static ForwarderSettings forwarderSettings(DnsConfig dnsConfig) {
        return new ForwarderSettings(new UpstreamServers(dnsConfig.upstreams(), dnsConfig.resolvConf(),
                System::nanoTime), dnsConfig.timeout(), dnsConfig.attempts(), dnsConfig.maxInFlight());
    }

    @Override
    public void receive(UdpDatagram datagram, UdpReplier replier) {
        MacAddress mac = datagram.sourceMac();
        Ipv4Address ip = datagram.source();
        int port = datagram.sourcePort();
        // A forwarded query is answered after this call returns.
        UdpReplier later = replier.forLater();
        server.answerUdp(datagram.payload(), network.settings().mtu() - IP_UDP_HEADERS,
                reply -> later.send(mac, ip, port, reply));
    }

    @Override
    public void accept(Channel channel) {
        channel.pipeline().addLast(new DnsTcpHandler(server));
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot();
    }

    @Override
    public List<Zone> zones() {
        return zones.list();
    }

    @Override
    public void add(Zone zone) {
        zones.add(zone);
    }

    @Override
    public boolean removeZone(String name) {
        return zones.remove(name);
    }

    @Override
    public int removeRecord(String zone, String name) {
        return zones.removeRecord(zone, name);
    }
}
