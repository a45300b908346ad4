package io.tapvsock.transport.vsock.impl;

import io.tapvsock.api.VirtualNetwork;
import io.tapvsock.transport.common.connect.ApiRelayTarget;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.function.Supplier;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * One vsock endpoint ({@code -listen vsock://...}) per factory configuration of {@value #PID}: POST /connect
 * streams from guests' forwarders, and the HTTP API through the http bundle's {@link ApiRelayTarget} (optional:
 * without it other requests get a 503). Deleting the configuration or stopping the bundle stops accepting.
 */
@Component(configurationPid = VsockListenerComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
@Designate(ocd = VsockListenerComponent.Config.class, factory = true)
public final class VsockListenerComponent {

    public static final String PID = "io.tapvsock.transport.vsock";

    private static final System.Logger LOG = System.getLogger(VsockListenerComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock vsock endpoint",
            description = "An AF_VSOCK API endpoint: gvforwarder's POST /connect (then hyperkit framing) and the HTTP API")
    public @interface Config {

        @AttributeDefinition(description = "vsock://:PORT (any context ID) or vsock://CID:PORT")
        String listen();
    }

    private final VsockTransportStatus status;
    private final VsockListener listener;
    private final Supplier<String> line;
    private volatile ApiRelayTarget api;

    @Activate
    public VsockListenerComponent(@Reference(name = "network") VirtualNetwork network,
            @Reference(name = "status") VsockTransportStatus status, Config config) throws IOException {
        this.status = status;
        try {
            listener = new VsockListener(network, config.listen(), status.counters(), this::apiSocket);
            listener.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "vsock endpoint not started: {0}", e.getMessage());
            throw e;
        }
        line = () -> "vsock " + listener.url();
        status.add(line);
    }

    @Reference(name = "api", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeApi")
    void setApi(ApiRelayTarget target) {
        api = target;
    }

    void removeApi(ApiRelayTarget target) {
        if (api == target) {
            api = null;
        }
    }

    private Path apiSocket() {
        ApiRelayTarget target = api;
        return target == null ? null : target.socket();
    }

    @Deactivate
    void deactivate() {
        status.remove(line);
        listener.close();
    }
}
