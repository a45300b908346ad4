package io.tapvsock.stack.osgi;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import io.tapvsock.api.MacAddress;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** GET /cam: the switch's CAM table as gvproxy shows it, {@code {"5a:94:ef:e4:0c:ee":0}} (MAC to port id). */
@Component(service = ApiRoute.class, property = ApiRoute.PATH + "=/cam")
public final class CamRoute implements ApiRoute {

    private final StackControl control;

    @Activate
    public CamRoute(@Reference(name = "control") StackControl control) {
        this.control = control;
    }

    @Override
    public ApiResponse handle(ApiRequest request) {
        if (!request.method().equals("GET")) {
            return ApiResponse.methodNotAllowed(request.method());
        }
        return ApiResponse.json(toJson(control.cam()));
    }

    /** MAC text is hex digits and colons, so no escaping is needed. */
    static String toJson(Map<MacAddress, Integer> cam) {
        StringBuilder json = new StringBuilder("{");
        cam.forEach((mac, port) -> {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(mac).append("\":").append(port);
        });
        return json.append('}').toString();
    }
}
