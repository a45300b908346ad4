package io.tapvsock.transport.tap;

import io.netty.buffer.ByteBufAllocator;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One TAP link per factory configuration of {@value #PID}. A changed configuration reopens it (no modified
 * method); deleting the configuration or stopping the bundle closes the TAP, which disappears with it unless it
 * existed before.
 */
@Component(configurationPid = TapTransportComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = TapTransportComponent.Config.class, factory = true)
public final class TapTransportComponent {

    public static final String PID = "io.tapvsock.transport.tap";

    private static final System.Logger LOG = System.getLogger(TapTransportComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock tap transport",
            description = "The daemon opens a TAP inside a network namespace and attaches it to the virtual network")
    public @interface Config {

        @AttributeDefinition(description = "Network namespace to open the TAP in, e.g. /var/run/netns/NAME;"
                + " empty: the daemon's own", required = false)
        String netns() default "";

        @AttributeDefinition(description = "Interface name")
        String iface() default TapTransportConfig.DEFAULT_IFACE;

        @AttributeDefinition(description = "The guest-side MAC address the interface gets")
        String mac() default "5a:94:ef:e4:0c:ee";

        @AttributeDefinition(description = "Interface MTU; 0: the network's MTU")
        int mtu() default 0;

        @AttributeDefinition(description = "Give the interface the network's device IP and prefix, bring it and lo"
                + " up, and add a default route via the gateway IP (like slirp4netns --configure)")
        boolean configure() default true;

        @AttributeDefinition(description = "Open the TAP with a virtio-net header and checksum + TCP/IPv4"
                + " segmentation offload (TSO): 64 KiB TCP super-segments both ways whatever the MTU")
        boolean offload() default TapTransportConfig.DEFAULT_OFFLOAD;
    }

    private final TapTransportStatus status;
    private final TapLink link;

    @Activate
    public TapTransportComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") TapTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            TapTransportConfig tap = from(config);
            link = TapLink.open(network, tap, ByteBufAllocator.DEFAULT, status.counters());
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "tap transport not started: {0}", e.getMessage());
            throw e;
        }
        status.add(link);
    }

    /** The component's configuration as the validated record. */
    static TapTransportConfig from(Config config) {
        return TapTransportConfig.of(config.netns(), config.iface(), config.mac(), config.mtu(), config.configure(),
                config.offload());
    }

    @Deactivate
    void deactivate() {
        status.remove(link);
        link.close();
    }
}
