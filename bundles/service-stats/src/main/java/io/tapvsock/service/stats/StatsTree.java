package io.tapvsock.service.stats;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Assembles the /stats document from the snapshots of every source. A source named "" merges into the top level
 * (gvproxy's {@code BytesSent} and {@code BytesReceived} live there); any other source becomes an object under its
 * name. Keys are sorted at every level so the output is stable. When two sources give the same key, numbers are
 * added (they are counters), maps merge, and otherwise the later source wins.
 */
final class StatsTree {

    /** One source's snapshot, with the NAME it was registered under. */
    record Source(String name, Map<String, ?> snapshot) {
    }

    private StatsTree() {
    }

    /** @param sources in registration order */
    static Map<String, Object> assemble(List<Source> sources) {
        Map<String, Object> root = new TreeMap<>();
        for (Source source : sources) {
            Map<String, Object> snapshot = normalise(source.snapshot());
            if (source.name().isEmpty()) {
                mergeInto(root, snapshot);
            } else {
                mergeInto(root, Map.of(source.name(), snapshot));
            }
        }
        return root;
    }

    private static void mergeInto(Map<String, Object> target, Map<String, Object> addition) {
        addition.forEach((key, value) -> target.merge(key, value, StatsTree::combine));
    }

    @SuppressWarnings("unchecked")
    private static Object combine(Object old, Object added) {
        if (old instanceof Long a && added instanceof Long b) {
            return a + b;
        }
        if (old instanceof Map<?, ?> a && added instanceof Map<?, ?> b) {
            Map<String, Object> merged = new TreeMap<>((Map<String, Object>) a);
            mergeInto(merged, (Map<String, Object>) b);
            return merged;
        }
        return added;
    }

    /** A sorted copy with whole numbers as Long, nested maps normalised, anything else as text. */
    private static Map<String, Object> normalise(Map<?, ?> snapshot) {
        Map<String, Object> sorted = new TreeMap<>();
        if (snapshot != null) {
            snapshot.forEach((key, value) -> sorted.put(String.valueOf(key), normaliseValue(value)));
        }
        return sorted;
    }

    private static Object normaliseValue(Object value) {
        return switch (value) {
            case Long l -> l;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Number n -> n;
            case Boolean b -> b;
            case Map<?, ?> map -> normalise(map);
            case null -> "";
            default -> String.valueOf(value);
        };
    }
}
