package io.tapvsock.http;

import io.tapvsock.api.ApiRoute;
import io.tapvsock.api.ListenAddress;
import io.tapvsock.api.TunnelStreams;
import io.tapvsock.transport.common.connect.ApiRelayTarget;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The API for endpoints Jetty cannot accept itself (gvproxy's {@code -listen vsock://}): an API endpoint without
 * /connect on a unix socket in a fresh private temporary directory, published as {@link ApiRelayTarget}. Such an
 * endpoint relays every connection that is not {@code POST /connect} here, so vsock clients get the same routes
 * (/stats, /cam, /services/..., and POST /tunnel: the relay carries the tunnel's bytes) as the unix and tcp
 * endpoints. A delayed component: the socket exists only while
 * some endpoint holds the service. Needs no configuration.
 */
@Component(service = ApiRelayTarget.class)
public final class ApiRelayTargetComponent implements ApiRelayTarget {

    private static final System.Logger LOG = System.getLogger(ApiRelayTargetComponent.class.getName());
    /** Short: a unix socket path must fit in 107 bytes. */
    private static final String DIRECTORY_PREFIX = "tapvsock-api";

    private final RouteTable routes = new RouteTable();
    private final ServiceHolder<TunnelStreams> tunnels = new ServiceHolder<>();
    private Path directory;
    private HttpEndpoint endpoint;

    /** An activate method, not the constructor: DS binds the routes in between (see HttpEndpointComponent). */
    @Activate
    void activate() throws IOException {
        directory = Files.createTempDirectory(DIRECTORY_PREFIX,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        endpoint = new HttpEndpoint(ListenAddress.parse("unix://" + directory.resolve("api.sock")), routes,
                List.of(new TunnelKind(tunnels)));
        try {
            endpoint.start();
        } catch (IOException e) {
            Files.deleteIfExists(directory);
            LOG.log(Level.ERROR, "the API for relayed (vsock) connections is not served: {0}", e.getMessage());
            throw e;
        }
        LOG.log(Level.INFO, "the API for relayed (vsock) connections listens on {0}", endpoint.address());
    }

    @Deactivate
    void deactivate() {
        endpoint.close();
        try {
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot remove " + directory, e);
        }
    }

    @Override
    public Path socket() {
        return endpoint.address().unixPath();
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
