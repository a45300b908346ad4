package io.tapvsock.service.dns;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.service.dns.core.Zone;
import io.tapvsock.service.dns.core.ZonesJson;
import java.lang.System.Logger.Level;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * POST /services/dns/add with one zone: merged into the zone of that name (its records first, so the newest
 * wins; its DefaultIP replaces the old one) or appended. gvproxy answers a non-POST with 400 "post only"; bad
 * JSON or a bad regexp is a 400 with the reason, and nothing changes.
 */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/services/dns/add")
public final class DnsAddRoute implements ApiRoute {

    private static final System.Logger LOG = System.getLogger(DnsAddRoute.class.getName());

    private final DnsZoneRegistry registry;

    @Activate
    public DnsAddRoute(@Reference(name = "zones") DnsZoneRegistry registry) {
        this.registry = registry;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("POST")) {
            return ApiResponse.text(400, "post only");
        }
        Zone zone;
        try {
            zone = ZonesJson.readZone(request.bodyText());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.INFO, "POST /services/dns/add refused: {0}", e.getMessage());
            return ApiResponse.text(400, e.getMessage());
        }
        registry.add(zone);
        LOG.log(Level.INFO, "DNS zone {0} added: {1} records, DefaultIP {2}", zone.name(), zone.records().size(),
                zone.defaultIp() == null ? "none" : zone.defaultIp());
        return ApiResponse.ok();
    }
}
