package io.tapvsock.service.dhcp;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /services/dhcp/leases (gvproxy's services path). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/services/dhcp/leases")
public final class ServicesLeasesRoute implements ApiRoute {

    private final DhcpLeases leases;

    @Activate
    public ServicesLeasesRoute(@Reference(name = "leases") DhcpLeases leases) {
        this.leases = leases;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return LeasesJson.respond(request, leases);
    }
}
