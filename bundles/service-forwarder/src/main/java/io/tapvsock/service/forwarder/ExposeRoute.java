package io.tapvsock.service.forwarder;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.service.forwarder.core.ForwardApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** POST /services/forwarder/expose {"local","remote","protocol"}: opens a forward; a remote without IP means the API client's address. */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=" + ForwardApi.EXPOSE)
public final class ExposeRoute implements ApiRoute {

    private final ForwarderRegistry registry;

    @Activate
    public ExposeRoute(@Reference(name = "forwarder") ForwarderRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return registry.api().handle(request);
    }
}
