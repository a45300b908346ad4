package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import java.lang.annotation.Annotation;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The DS component driven as SCR would: bind routes, activate, rebind, deactivate. */
@Timeout(60)
class HttpEndpointComponentTest {

    @TempDir
    Path dir;

    private static HttpEndpointComponent.Config config(String listen) {
        return new HttpEndpointComponent.Config() {
            @Override
            public String listen() {
                return listen;
            }

            @Override
            public boolean connect() {
                return true;
            }

            @Override
            public Class<? extends Annotation> annotationType() {
                return HttpEndpointComponent.Config.class;
            }
        };
    }

    private static Map<String, Object> properties(long serviceId, String path) {
        return Map.of("service.id", serviceId, ApiRoute.PATH, path);
    }

    @Test
    void routes_bound_before_and_after_activation_are_served() throws Exception {
        Path path = dir.resolve("api.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        HttpEndpointComponent component = new HttpEndpointComponent();
        ApiRoute first = request -> ApiResponse.text(200, "first");
        ApiRoute second = request -> ApiResponse.text(200, "second");
        component.addRoute(first, properties(3, "/stats"));
        component.activate(config("unix://" + path));
        try {
            assertEquals("first", RawHttpClient.get(address, "/stats").body());
            component.addRoute(second, properties(4, "/stats"));
            assertEquals("first", RawHttpClient.get(address, "/stats").body(), "the later registration waits");
            component.removeRoute(first, properties(3, "/stats"));
            assertEquals("second", RawHttpClient.get(address, "/stats").body());
            component.updatedRoute(second, properties(4, "/moved"));
            assertEquals(404, RawHttpClient.get(address, "/stats").status());
            assertEquals("second", RawHttpClient.get(address, "/moved").body());
        } finally {
            component.deactivate();
        }
        assertFalse(Files.exists(path));
    }

    @Test
    void bad_url_fails_activation() {
        assertThrows(IllegalArgumentException.class, () -> new HttpEndpointComponent().activate(config("http://x")));
    }
}
