package io.tapvsock.http;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    private final ApiRoute first = request -> ApiResponse.ok();
    private final ApiRoute second = request -> ApiResponse.ok();

    @Test
    void later_registration_of_a_path_waits_until_the_first_leaves() {
        RouteTable routes = new RouteTable();
        routes.add(10, "/stats", first);
        routes.add(11, "/stats", second);
        assertSame(first, routes.lookup("/stats"));
        routes.remove(10);
        assertSame(second, routes.lookup("/stats"));
        routes.remove(11);
        assertNull(routes.lookup("/stats"));
    }

    @Test
    void lower_service_id_wins_whatever_the_bind_order() {
        RouteTable routes = new RouteTable();
        routes.add(11, "/stats", second);
        routes.add(10, "/stats", first);
        assertSame(first, routes.lookup("/stats"));
    }

    @Test
    void route_without_a_path_is_ignored() {
        RouteTable routes = new RouteTable();
        routes.add(1, null, first);
        routes.add(2, "", first);
        assertNull(routes.lookup(""));
        routes.remove(1);
    }
}
