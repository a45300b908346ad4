package io.tapvsock.service.dns;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.service.dns.core.ZonesJson;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /services/dns/all: every zone in gvproxy's JSON (any method is answered, as gvproxy does). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/services/dns/all")
public final class DnsAllRoute implements ApiRoute {

    private final DnsZoneRegistry registry;

    @Activate
    public DnsAllRoute(@Reference(name = "zones") DnsZoneRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return ApiResponse.json(ZonesJson.write(registry.zones()));
    }
}
