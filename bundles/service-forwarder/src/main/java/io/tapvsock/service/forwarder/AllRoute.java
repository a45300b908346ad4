package io.tapvsock.service.forwarder;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.service.forwarder.core.ForwardApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /services/forwarder/all: every open forward, sorted by local then protocol (any method, as gvproxy). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=" + ForwardApi.ALL)
public final class AllRoute implements ApiRoute {

    private final ForwarderRegistry registry;

    @Activate
    public AllRoute(@Reference(name = "forwarder") ForwarderRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return registry.api().handle(request);
    }
}
