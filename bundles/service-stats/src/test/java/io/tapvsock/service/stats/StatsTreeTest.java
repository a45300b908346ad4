package io.tapvsock.service.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatsTreeTest {

    @Test
    void unnamed_sources_merge_into_the_top_level_and_named_ones_nest() {
        Map<String, Object> tree = StatsTree.assemble(List.of(
                new StatsTree.Source("", Map.of("BytesSent", 10L, "BytesReceived", 20L)),
                new StatsTree.Source("transport-qemu", Map.of("framesIn", 3L, "closes", Map.of("peer-closed", 1L)))));
        assertEquals(Map.of("BytesSent", 10L, "BytesReceived", 20L,
                "transport-qemu", Map.of("framesIn", 3L, "closes", Map.of("peer-closed", 1L))), tree);
        assertEquals(List.of("BytesReceived", "BytesSent", "transport-qemu"), List.copyOf(tree.keySet()));
    }

    @Test
    void same_key_from_two_sources_adds_numbers_and_merges_maps() {
        Map<String, Object> tree = StatsTree.assemble(List.of(
                new StatsTree.Source("", Map.of("BytesSent", 10L, "TCP", Map.of("a", 1L))),
                new StatsTree.Source("", Map.of("BytesSent", 5, "TCP", Map.of("a", 2L, "b", 7L))),
                new StatsTree.Source("TCP", Map.of("c", 1L))));
        assertEquals(Map.of("BytesSent", 15L, "TCP", Map.of("a", 3L, "b", 7L, "c", 1L)), tree);
    }

    @Test
    void text_is_kept_and_later_text_wins() {
        Map<String, Object> tree = StatsTree.assemble(List.of(
                new StatsTree.Source("dhcp", Map.of("state", "old")),
                new StatsTree.Source("dhcp", Map.of("state", "new"))));
        assertEquals(Map.of("dhcp", Map.of("state", "new")), tree);
    }

    @Test
    void no_sources_is_an_empty_object() {
        assertEquals(Map.of(), StatsTree.assemble(List.of()));
    }
}
