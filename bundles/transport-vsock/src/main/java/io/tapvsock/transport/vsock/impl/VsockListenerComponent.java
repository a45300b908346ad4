package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.VirtualNetwork;
import java.io.IOException;
import java.lang.System.Logger.Level;
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
 * One vsock endpoint ({@code -listen vsock://...}) per factory configuration of {@value #PID}: POST /connect
 * streams from guests' forwarders. Deleting the configuration or stopping the bundle stops accepting.
 */
@Component(configurationPid = VsockListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = VsockListenerComponent.Config.class, factory = true)
public final class VsockListenerComponent {

    public static final String PID = "io.tapvsock.transport.vsock";

    private static final System.Logger LOG = System.getLogger(VsockListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock vsock endpoint",
            description = "An AF_VSOCK endpoint for gvforwarder's POST /connect, then hyperkit framing")
    public @interface Config {

        @AttributeDefinition(description = "vsock://:PORT (any context ID) or vsock://CID:PORT")
        String listen();
    }

    private final VsockTransportStatus status;
    private final VsockListener listener;
    private final Supplier<String> line;

    @Activate
    public VsockListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") VsockTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            listener = new VsockListener(network, config.listen(), status.counters());
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "vsock endpoint not started: {0}", e.getMessage());
            throw e;
        }
        line = () -> "vsock " + listener.url();
        status.add(line);
    }

    @Deactivate
    void deactivate() {
        status.remove(line);
        listener.close();
    }
}
