package io.tapvsock.http;

import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.api.FrameStreams;
import io.tapvsock.api.TunnelStreams;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
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
 * One API endpoint per factory configuration of {@value #PID}, serving every {@link ApiRoute} service. A
 * changed configuration restarts it; deleting it or stopping the bundle stops the server and removes its socket.
 *
 * <p>Activation is an activate method rather than the constructor: DS binds the dynamic routes between the two,
 * so the server answers its first request with every route already mounted.
 */
@Component(configurationPid = HttpEndpointComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = HttpEndpointComponent.Config.class, factory = true)
public final class HttpEndpointComponent {

    public static final String PID = "io.tapvsock.http.endpoint";
    private static final System.Logger LOG = System.getLogger(HttpEndpointComponent.class.getName());

    @ObjectClassDefinition(name = "tapvsock API endpoint",
            description = "The HTTP API on a unix socket (mode 0600) or a tcp address")
    public @interface Config {

        @AttributeDefinition(description = "unix:///path/to/socket or tcp://host:port")
        String listen();

        @AttributeDefinition(description = "Also serve POST /connect (gvproxy -listen); false for -services "
                + "(POST /tunnel is served either way, as gvproxy does)")
        boolean connect() default true;
    }

    private final RouteTable routes = new RouteTable();
    private final ServiceHolder<FrameStreams> frameStreams = new ServiceHolder<>();
    private final ServiceHolder<TunnelStreams> tunnels = new ServiceHolder<>();
    private HttpEndpoint endpoint;

    @Activate
    void activate(Config config) throws IOException {
        try {
            // gvproxy's -services serves /tunnel too: only /connect is left out.
            List<HandoverKind> handovers = config.connect()
                    ? List.of(new ConnectKind(frameStreams), new TunnelKind(tunnels))
                    : List.of(new TunnelKind(tunnels));
            endpoint = new HttpEndpoint(ListenAddress.parse(config.listen()), routes, handovers);
            endpoint.start();
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.ERROR, "API endpoint not started: {0}", e.getMessage());
            throw e;
        }
    }

    @Deactivate
    void deactivate() {
        endpoint.close();
    }

    @Reference(name = "frameStreams", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeFrameStreams")
    void setFrameStreams(FrameStreams service) {
        frameStreams.set(service);
    }

    void removeFrameStreams(FrameStreams service) {
        frameStreams.clear(service);
    }

    @Reference(name = "tunnels", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeTunnels")
    void setTunnels(TunnelStreams service) {
        tunnels.set(service);
    }

    void removeTunnels(TunnelStreams service) {
        tunnels.clear(service);
    }

    @Reference(name = "routes", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeRoute", updated = "updatedRoute")
    void addRoute(ApiRoute route, Map<String, Object> properties) {
        routes.addService(route, properties);
    }

    void updatedRoute(ApiRoute route, Map<String, Object> properties) {
        routes.updateService(route, properties);
    }

    void removeRoute(ApiRoute route, Map<String, Object> properties) {
        routes.removeService(properties);
    }
}
