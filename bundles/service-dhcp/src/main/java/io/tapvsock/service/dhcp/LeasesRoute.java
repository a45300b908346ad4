package io.tapvsock.service.dhcp;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /leases (gvproxy's short path). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/leases")
public final class LeasesRoute implements ApiRoute {

    private final DhcpLeases leases;

    @Activate
    public LeasesRoute(@Reference(name = "leases") DhcpLeases leases) {
        this.leases = leases;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return LeasesJson.respond(request, leases);
    }
}
