package io.tapvsock.service.dhcp;

import io.tapvsock.api.GatewayUdpService;
import io.tapvsock.api.StatsSource;
import io.tapvsock.api.UdpDatagram;
import io.tapvsock.api.UdpReplier;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.dhcp.core.DhcpConfig;
import io.tapvsock.service.dhcp.core.DhcpServer;
import io.tapvsock.service.dhcp.core.LeaseEntry;
import java.lang.System.Logger.Level;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The DHCP server on gateway port 67, its counters ("DHCP" in /stats) and its lease list: a thin adapter over
 * {@link DhcpServer}. A configuration that fails validation is refused with a logged reason and the previous
 * one stays in force (at activation: the defaults).
 */
@Component(configurationPid = DhcpComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = {GatewayUdpService.class, StatsSource.class, DhcpLeases.class},
        property = {GatewayUdpService.PORT + ":Integer=67", StatsSource.NAME + "=DHCP"})
@Designate(ocd = DhcpComponent.Config.class)
public final class DhcpComponent implements GatewayUdpService, StatsSource, DhcpLeases {

    public static final String PID = "io.tapvsock.dhcp";

    private static final System.Logger LOG = System.getLogger(DhcpComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock DHCP server",
            description = "DHCP on the gateway address: leases, static leases, search domains, lease file")
    public @interface Config {

        @AttributeDefinition(description = "Lease time in seconds, option 51 (1..4294967295)", min = "1",
                max = "4294967295")
        long leaseSeconds() default DhcpConfig.DEFAULT_LEASE_SECONDS;

        @AttributeDefinition(required = false, description = "Static leases as ip=mac; when absent the device IP "
                + "is leased to 5a:94:ef:e4:0c:ee, as gvproxy does without -config")
        String[] staticLeases();

        @AttributeDefinition(required = false, description = "Domain search list, option 119 (omitted when empty)")
        String[] searchDomains() default {};

        @AttributeDefinition(required = false, description = "File that keeps the leases across restarts; "
                + "empty: memory only")
        String leaseFile() default "";
    }

    private final VirtualNetwork network;
    private final DhcpServer server;

    @Activate
    public DhcpComponent(@Reference(name = "network") VirtualNetwork network, Map<String, Object> properties) {
        this.network = network;
        DhcpConfig config;
        try {
            config = readConfig(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "DHCP configuration " + PID + " refused, using the defaults: " + e.getMessage());
            config = DhcpConfig.defaults();
        }
        this.server = new DhcpServer(config, network::settings, InstantSource.system());
        LOG.log(Level.DEBUG, "DHCP server started: {0}", config);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        try {
            server.reconfigure(readConfig(properties));
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "DHCP configuration " + PID + " refused, the previous one stays: " + e.getMessage());
        }
    }

    private DhcpConfig readConfig(Map<String, Object> properties) {
        DhcpConfig config = DhcpConfig.fromProperties(properties);
        config.validate(network.settings());
        return config;
    }

    @Override
    public void receive(UdpDatagram datagram, UdpReplier replier) {
        server.receive(datagram.payload(), replier);
    }

    @Override
    public Map<String, Object> snapshot() {
        return server.counters().snapshot();
    }

    @Override
    public List<LeaseEntry> leases() {
        return server.leases();
    }
}
