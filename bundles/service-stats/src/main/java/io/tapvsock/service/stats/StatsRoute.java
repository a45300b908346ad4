package io.tapvsock.service.stats;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /stats: every source's counters as one JSON object (gvproxy's shape, keys sorted). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/stats")
public final class StatsRoute implements ApiRoute {

    private final StatsCollector collector;

    @Activate
    public StatsRoute(@Reference(name = "collector") StatsCollector collector) {
        this.collector = collector;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request.method());
        }
        return ApiResponse.json(collector.json(false));
    }
}
