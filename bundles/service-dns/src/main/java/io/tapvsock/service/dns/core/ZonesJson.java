package io.tapvsock.service.dns.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tapvsock.api.Ipv4Address;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * gvproxy's zone JSON (compat.md §4):
 * {@code {"Name":"containers.internal.","Records":[{"Name":"gateway","IP":"192.168.127.1"}],"DefaultIP":""}},
 * a record's "Regexp" present only when set. Reading accepts keys in any case, as Go's encoding/json does, and
 * ignores unknown keys; every error is an IllegalArgumentException with a reason (a 400 in the API).
 */
public final class ZonesJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ZonesJson() {
    }

    /** One zone, the body of POST /services/dns/add. */
    public static Zone readZone(String json) {
        return zone(tree(json), "zone");
    }

    /** A JSON array of zones (the configuration's "zones" property). */
    public static List<Zone> readZones(String json) {
        JsonNode tree = tree(json);
        if (!tree.isArray()) {
            throw new IllegalArgumentException("zones: want a JSON array of zones");
        }
        List<Zone> zones = new ArrayList<>();
        for (int i = 0; i < tree.size(); i++) {
            zones.add(zone(tree.get(i), "zones[" + i + "]"));
        }
        return zones;
    }

    /** The GET /services/dns/all document. */
    public static String write(List<Zone> zones) {
        ArrayNode array = MAPPER.createArrayNode();
        for (Zone zone : zones) {
            ObjectNode node = array.addObject();
            node.put("Name", zone.name());
            ArrayNode records = node.putArray("Records");
            for (ZoneRecord record : zone.records()) {
                ObjectNode recordNode = records.addObject();
                if (!record.name().isEmpty()) {
                    recordNode.put("Name", record.name());
                }
                recordNode.put("IP", record.ip().toString());
                if (record.regexp() != null) {
                    recordNode.put("Regexp", record.regexpText());
                }
            }
            node.put("DefaultIP", zone.defaultIp() == null ? "" : zone.defaultIp().toString());
        }
        try {
            return MAPPER.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode tree(String json) {
        try {
            JsonNode tree = MAPPER.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new IllegalArgumentException("empty body: want a JSON zone");
            }
            return tree;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Zone zone(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": want a JSON object");
        }
        String name = text(node, "name", where);
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(where + ": Name is missing");
        }
        List<ZoneRecord> records = new ArrayList<>();
        JsonNode recordsNode = field(node, "records");
        if (recordsNode != null && !recordsNode.isNull()) {
            if (!recordsNode.isArray()) {
                throw new IllegalArgumentException(where + ": Records is not an array");
            }
            for (int i = 0; i < recordsNode.size(); i++) {
                records.add(record(recordsNode.get(i), where + " " + name + " Records[" + i + "]"));
            }
        }
        Ipv4Address defaultIp = address(text(node, "defaultip", where), where + ": DefaultIP");
        try {
            return new Zone(name, records, defaultIp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    private static ZoneRecord record(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": want a JSON object");
        }
        String name = text(node, "name", where);
        Ipv4Address ip = address(text(node, "ip", where), where + ": IP");
        if (ip == null) {
            throw new IllegalArgumentException(where + ": IP is missing");
        }
        String regexpText = text(node, "regexp", where);
        Pattern regexp = null;
        if (regexpText != null && !regexpText.isEmpty()) {
            try {
                regexp = Pattern.compile(regexpText);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException(where + ": bad Regexp \"" + regexpText + "\": "
                        + e.getDescription(), e);
            }
        }
        try {
            return new ZoneRecord(name, ip, regexp);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** "" and null are no address, as Go's net.IP reads them. */
    private static Ipv4Address address(String text, String where) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage() + " (local zones answer A records)", e);
        }
    }

    private static String text(JsonNode node, String lowerKey, String where) {
        JsonNode value = field(node, lowerKey);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where + ": " + lowerKey + " is not a string");
        }
        return value.asText();
    }

    /** A field by name in any case; when several fold to it the last wins, as Go's encoding/json decodes. */
    private static JsonNode field(JsonNode node, String lowerKey) {
        JsonNode found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().toLowerCase(Locale.ROOT).equals(lowerKey)) {
                found = entry.getValue();
            }
        }
        return found;
    }
}
