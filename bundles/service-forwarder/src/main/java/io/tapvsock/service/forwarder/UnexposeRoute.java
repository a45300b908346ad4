package io.tapvsock.service.forwarder;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.service.forwarder.core.ForwardApi;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** POST /services/forwarder/unexpose {"local","protocol"}: closes a forward (its connections go on). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=" + ForwardApi.UNEXPOSE)
public final class UnexposeRoute implements ApiRoute {

    private final ForwarderRegistry registry;

    @Activate
    public UnexposeRoute(@Reference(name = "forwarder") ForwarderRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        return registry.api().handle(request);
    }
}
