package io.tapvsock.service.forwarder;

import io.netty.channel.Channel;
import io.tapvsock.api.GatewayTcpService;
import io.tapvsock.api.GuestTcpConnector;
import io.tapvsock.api.GuestUdpConnector;
import io.tapvsock.api.NetworkSettings;
import io.tapvsock.api.SshTunnels;
import io.tapvsock.api.StatsSource;
import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.service.forwarder.core.Forward;
import io.tapvsock.service.forwarder.core.ForwardApi;
import io.tapvsock.service.forwarder.core.ForwarderConfig;
import io.tapvsock.service.forwarder.core.ForwarderCounters;
import io.tapvsock.service.forwarder.core.Forwards;
import io.tapvsock.service.forwarder.invm.InVmApiHandler;
import io.tapvsock.service.forwarder.relay.NettyListeners;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Port forwarding into guests: the open forwards (API, shell, configuration, -ssh-port), the in-VM API on
 * gateway port 80 and the counters ("service-forwarder" in /stats); a thin adapter over {@link Forwards} and
 * {@link NettyListeners}. Configuration {@value #PID} with {@value #FLAGS_PID} (the launcher's flags) merged
 * over it. A configuration that fails validation is refused with a logged reason and the previous one stays.
 * Its properties are also the service's, so the launcher can wait for {@code (sshPort=N)}: the forwards of a
 * configuration are open before the service shows it. Immediate: static forwards open without a client.
 */
@Component(configurationPid = {ForwarderComponent.PID, ForwarderComponent.FLAGS_PID},
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {ForwarderRegistry.class, GatewayTcpService.class, StatsSource.class},
        property = {GatewayTcpService.PORT + ":Integer=80", StatsSource.NAME + "=service-forwarder"})
public final class ForwarderComponent implements ForwarderRegistry, GatewayTcpService, StatsSource {

    public static final String PID = "io.tapvsock.service.forwarder";
    /** The launcher writes -ssh-port here, so a configuration file's other keys stay. */
    public static final String FLAGS_PID = "io.tapvsock.service.forwarder.flags";

    private static final System.Logger LOG = System.getLogger(ForwarderComponent.class.getName());

    /** Documents the keys for metatype (a component with two PIDs cannot designate one). */
    @ObjectClassDefinition(pid = PID, name = "tapvsock port forwarder",
            description = "Forwards from host sockets into guests, and the in-VM API on gatewayIP:80")
    public @interface Config {

        @AttributeDefinition(required = false, description = "Forwards to keep open, as a JSON array of "
                + "{\"local\":\"127.0.0.1:8080\",\"remote\":\"192.168.127.2:80\",\"protocol\":\"tcp\"} or gvproxy's "
                + "map {\"127.0.0.1:8080\":\"192.168.127.2:80\",\"udp:127.0.0.1:5353\":\"192.168.127.2:53\"}")
        String forwards() default "";

        @AttributeDefinition(description = "Guests see forwarded connections come from the gateway IP (gvproxy's "
                + "behaviour) instead of the client's address (the host IP for a local client)")
        boolean sourceFromGateway() default false;

        @AttributeDefinition(description = "gvproxy's -ssh-port: forward 127.0.0.1:N to the device IP's port 22; "
                + "-1 disables")
        int sshPort() default -1;

        @AttributeDefinition(description = "A udp forward's flow (one host client) without a datagram either way "
                + "for this many seconds ends (1..86400)")
        long udpFlowIdleSeconds() default ForwarderConfig.DEFAULT_UDP_FLOW_IDLE_SECONDS;

        @AttributeDefinition(description = "Flows per udp forward; a new client beyond that evicts the least "
                + "recently active one (1..65536)")
        int udpMaxFlows() default ForwarderConfig.DEFAULT_UDP_MAX_FLOWS;
    }

    /**
     * ssh-tunnel:// remotes, from the service-sshforward bundle: optional (without it such an expose is refused
     * with the reason) and dynamic (the bundle may come and go while forwards stay open).
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile SshTunnels sshTunnels;

    private final VirtualNetwork network;
    private final ForwarderCounters counters = new ForwarderCounters();
    private final NettyListeners listeners;
    private final Forwards forwards;
    private final ForwardApi api;
    private final ExecutorService apiThread;
    private volatile ForwarderConfig config;

    @Activate
    public ForwarderComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "connector") GuestTcpConnector connector,
            @Reference(name = "udpConnector") GuestUdpConnector udpConnector, Map<String, Object> properties) {
        this.network = network;
        ForwarderConfig initial;
        try {
            initial = ForwarderConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "forwarder configuration " + PID + " refused, using the defaults: " + e.getMessage());
            initial = ForwarderConfig.defaults();
        }
        config = initial;
        listeners = new NettyListeners(network.eventLoop(), connector, udpConnector, network::settings,
                () -> config, counters, () -> sshTunnels);
        forwards = new Forwards(listeners);
        api = new ForwardApi(forwards);
        apiThread = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "tapvsock-forwarder-api");
            thread.setDaemon(true);
            return thread;
        });
        applyConfigured(initial);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        ForwarderConfig next;
        try {
            next = ForwarderConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "forwarder configuration " + PID + " refused, the previous one stays: "
                    + e.getMessage());
            return;
        }
        config = next;
        applyConfigured(next);
    }

    @Deactivate
    void deactivate() {
        apiThread.shutdownNow();
        forwards.closeAll();
        listeners.close();
    }

    /** The configured forwards plus -ssh-port's; those that fail are logged, the others open. */
    private void applyConfigured(ForwarderConfig forwarderConfig) {
        List<Forward> wanted = new ArrayList<>(forwarderConfig.forwards());
        if (forwarderConfig.sshPort() != -1) {
            NetworkSettings settings = network.settings();
            wanted.add(new Forward("127.0.0.1:" + forwarderConfig.sshPort(), settings.deviceIp() + ":22", "tcp"));
        }
        for (String error : forwards.configure(wanted)) {
            LOG.log(Level.ERROR, "configured forward not opened: " + error);
        }
    }

    @Override
    public Forwards forwards() {
        return forwards;
    }

    @Override
    public ForwardApi api() {
        return api;
    }

    /** A guest's connection to gatewayIP:80: the in-VM API. */
    @Override
    public void accept(Channel channel) {
        InVmApiHandler.install(channel, api, apiThread, counters);
    }

    @Override
    public Map<String, Object> snapshot() {
        return counters.snapshot(forwards.size());
    }

    /** The counters, for the shell. */
    ForwarderCounters counters() {
        return counters;
    }
}
