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
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.osgi.framework.BundleContext;
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

        @AttributeDefinition(required = false, description = "Domain search list, option 119 (omitted when empty); "
                + "when absent, the search or domain line of resolvConf, as gvproxy does")
        String[] searchDomains();

        @AttributeDefinition(required = false, description = "The resolv.conf whose search domains are sent when "
                + "searchDomains is absent")
        String resolvConf() default DhcpConfig.DEFAULT_RESOLV_CONF;

        @AttributeDefinition(required = false, description = "File that keeps the leases across restarts; "
                + "empty: " + LEASE_FILE_NAME + " in the daemon's state directory")
        String leaseFile() default "";
    }

    /** Framework property with the daemon's state directory (-state-dir), set by the launcher. */
    public static final String STATE_DIR_PROPERTY = "tapvsock.state.dir";
    /** The lease file's name in the state directory when leaseFile is not configured. */
    public static final String LEASE_FILE_NAME = "dhcp-leases";

    private final VirtualNetwork network;
    private final Path stateDir;
    private final DhcpServer server;

    @Activate
    public DhcpComponent(@Reference(name = "network") VirtualNetwork network, Map<String, Object> properties,
            BundleContext context) {
        this(network, properties, stateDir(context.getProperty(STATE_DIR_PROPERTY)));
    }

    /** @param stateDir where the lease file goes when none is configured; null: memory only */
    public DhcpComponent(VirtualNetwork network, Map<String, Object> properties, Path stateDir) {
        this.network = network;
        this.stateDir = stateDir;
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
        if (config.leaseFile() == null && stateDir != null) {
            // Written as leases change: podman stops the daemon with SIGKILL, and a guest should find its address again.
            config = config.withLeaseFile(stateDir.resolve(LEASE_FILE_NAME));
        }
        return config;
    }

    private static Path stateDir(String property) {
        if (property == null || property.isBlank()) {
            return null;
        }
        try {
            return Path.of(property);
        } catch (InvalidPathException e) {
            LOG.log(Level.WARNING, "DHCP: state directory \"" + property + "\" unusable, leases kept in memory: "
                    + e.getMessage());
            return null;
        }
    }

    @Override
    public void receive(UdpDatagram datagram, UdpReplier replier) {
        server.receive(datagram.payload(), replier);
    }

    @Override
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>(server.counters().snapshot());
        Map<String, Object> leases = new LinkedHashMap<>();
        for (LeaseEntry.Kind kind : List.of(LeaseEntry.Kind.STATIC, LeaseEntry.Kind.DYNAMIC)) {
            leases.put(kind.name().toLowerCase(Locale.ROOT),
                    server.leases().stream().filter(entry -> entry.kind() == kind).count());
        }
        snapshot.put("leases", leases);
        return snapshot;
    }

    @Override
    public List<LeaseEntry> leases() {
        return server.leases();
    }
}
