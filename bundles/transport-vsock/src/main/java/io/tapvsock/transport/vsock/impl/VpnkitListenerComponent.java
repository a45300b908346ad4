package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One vpnkit listener per factory configuration of {@value #PID}. A changed configuration restarts it (no
 * modified method); deleting the configuration or stopping the bundle closes it and removes its socket file.
 */
@Component(configurationPid = VpnkitListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = VpnkitListenerComponent.Config.class, factory = true)
public final class VpnkitListenerComponent {

    public static final String PID = "io.tapvsock.transport.vpnkit";

    private static final System.Logger LOG = System.getLogger(VpnkitListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock vpnkit transport",
            description = "A listener for hyperkit's VPNKit protocol: a handshake, then Ethernet frames with a "
                    + "2-byte little-endian length; many clients at once")
    public @interface Config {

        @AttributeDefinition(description = "unix:///path/to/socket (must not exist yet) or tcp://host:port")
        String listen();

        @AttributeDefinition(description = "MTU announced in the handshake; 0 means the network's MTU")
        int mtu() default 0;

        @AttributeDefinition(description = "uuid=mac pairs: the MAC each interface UUID gets (gvproxy's "
                + "vpnKitUUIDMacAddresses); other UUIDs get a random locally administered MAC")
        String[] uuidMacs() default {VpnkitHandshake.DEFAULT_UUID_MAC};
    }

    private final VsockTransportStatus status;
    private final VpnkitListener listener;
    private final Supplier<String> line;

    @Activate
    public VpnkitListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") VsockTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            VpnkitHandshake handshake = new VpnkitHandshake(
                    VpnkitHandshake.parseMacs(Arrays.asList(config.uuidMacs())), new SecureRandom());
            listener = new VpnkitListener(network, ListenAddress.parse(config.listen()), config.mtu(), handshake,
                    status.counters());
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "vpnkit transport not started: {0}", e.getMessage());
            throw e;
        }
        line = listener::describe;
        status.add(line);
    }

    @Deactivate
    void deactivate() {
        status.remove(line);
        listener.close();
    }
}
