package io.tapvsock.service.dhcp;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.service.dhcp.core.LeaseEntry;
import java.util.List;

/** gvproxy's leases JSON: {"192.168.127.1":"5a:94:ef:e4:0c:dd",...}, one object, keys sorted by address. */
final class LeasesJson {

    private LeasesJson() {
    }

    /** Answers GET with the JSON, anything else with 405. */
    static ApiResponse respond(ApiRequest request, DhcpLeases leases) {
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request.method());
        }
        return ApiResponse.json(write(leases.leases()));
    }

    /** Addresses and MACs are digits, dots, hex and colons: nothing to escape. */
    static String write(List<LeaseEntry> entries) {
        StringBuilder json = new StringBuilder("{");
        for (LeaseEntry entry : entries) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(entry.address()).append("\":\"").append(entry.mac()).append('"');
        }
        return json.append('}').toString();
    }
}
