package io.tapvsock.service.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.StatsSource;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The collector, route and command built with new, fed test StatsSources as DS would bind them. */
class StatsCollectorTest {

    private final StatsCollector collector = new StatsCollector();

    private static Map<String, Object> properties(long serviceId, String name) {
        Map<String, Object> properties = new TreeMap<>();
        properties.put("service.id", serviceId);
        if (name != null) {
            properties.put(StatsSource.NAME, name);
        }
        return properties;
    }

    private static ApiRequest request(String method) {
        return new ApiRequest(method, "/stats", Map.of(), new byte[0], "");
    }

    private static String body(ApiResponse response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void json_is_sorted_with_the_stack_at_the_top_level() {
        AtomicLong frames = new AtomicLong(3);
        collector.addSource(() -> Map.of("framesIn", frames.get(), "bytesIn", 180L), properties(7, "transport-qemu"));
        collector.addSource(() -> Map.of("BytesSent", 1L, "BytesReceived", 2L, "TCP", Map.of("ActiveConnectionOpenings", 4L)),
                properties(5, ""));
        assertEquals("{\"BytesReceived\":2,\"BytesSent\":1,\"TCP\":{\"ActiveConnectionOpenings\":4},"
                + "\"transport-qemu\":{\"bytesIn\":180,\"framesIn\":3}}", collector.json(false));
        frames.set(4);
        assertEquals(4L, ((Map<?, ?>) collector.collect().get("transport-qemu")).get("framesIn"), "a fresh snapshot each time");
    }

    @Test
    void removed_and_failing_sources_are_left_out() {
        StatsSource gone = () -> Map.of("x", 1L);
        collector.addSource(gone, properties(1, "gone"));
        collector.addSource(() -> {
            throw new IllegalStateException("loop is shutting down");
        }, properties(2, "failing"));
        collector.addSource(() -> Map.of("leases", 2L), properties(3, "dhcp"));
        collector.removeSource(gone, properties(1, "gone"));
        assertEquals("{\"dhcp\":{\"leases\":2}}", collector.json(false));
    }

    @Test
    void source_without_a_name_goes_to_the_top_level() {
        collector.addSource(() -> Map.of("BytesSent", 9L), properties(1, null));
        assertEquals("{\"BytesSent\":9}", collector.json(false));
    }

    @Test
    void route_answers_get_with_json_and_other_methods_with_405() {
        collector.addSource(() -> Map.of("BytesSent", 1L), properties(1, ""));
        StatsRoute route = new StatsRoute(collector);
        ApiResponse get = route.handle(request("GET"));
        assertEquals(200, get.status());
        assertEquals("application/json", get.contentType());
        assertEquals("{\"BytesSent\":1}", body(get));
        for (String method : List.of("POST", "PUT", "DELETE")) {
            assertEquals(405, route.handle(request(method)).status());
        }
    }

    @Test
    void command_prints_the_same_document_indented() {
        collector.addSource(() -> Map.of("b", 2L, "a", 1L), properties(1, "s"));
        String printed = new StatsCommand(collector).stats();
        assertEquals(String.join(System.lineSeparator(), "{", "  \"s\" : {", "    \"a\" : 1,", "    \"b\" : 2", "  }", "}"),
                printed);
    }

    @Test
    void empty_when_nothing_is_registered() {
        assertEquals("{}", collector.json(false));
    }
}
