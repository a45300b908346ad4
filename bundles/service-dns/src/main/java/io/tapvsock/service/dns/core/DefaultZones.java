package io.tapvsock.service.dns.core;

import io.tapvsock.api.NetworkSettings;
import java.util.List;

/** gvproxy's zones without -config: containers.internal. and docker.internal., each with gateway and host. */
public final class DefaultZones {

    private DefaultZones() {
    }

    public static List<Zone> of(NetworkSettings settings) {
        return List.of(zone("containers.internal.", settings), zone("docker.internal.", settings));
    }

    private static Zone zone(String name, NetworkSettings settings) {
        return new Zone(name, List.of(ZoneRecord.named("gateway", settings.gatewayIp()),
                ZoneRecord.named("host", settings.hostIp())), null);
    }
}
