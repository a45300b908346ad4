package io.tapvsock.service.forwarder.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * gvproxy's forwarder JSON. Requests are read as Go's encoding/json reads them: the first JSON value of the body
 * (a trailing newline or more is ignored), keys matched case-insensitively, unknown keys ignored, values strings.
 */
public final class ForwardsJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ForwardsJson() {
    }

    /**
     * An expose request {@code {"local","remote","protocol"}}; an absent protocol is "tcp".
     *
     * @throws IllegalArgumentException with the reason (the API answers 400)
     */
    public static Forward readExpose(String body) {
        ObjectNode object = object(body, "ExposeRequest");
        return new Forward(string(object, "local", "ExposeRequest"), string(object, "remote", "ExposeRequest"),
                string(object, "protocol", "ExposeRequest"));
    }

    /** An unexpose request {@code {"local","protocol"}}, as a Forward without remote. */
    public static Forward readUnexpose(String body) {
        ObjectNode object = object(body, "UnexposeRequest");
        return new Forward(string(object, "local", "UnexposeRequest"), "",
                string(object, "protocol", "UnexposeRequest"));
    }

    /** The list {@code [{"local","remote","protocol"}]} followed by a newline, as Go's json.Encoder writes it. */
    public static String writeList(List<Forward> forwards) {
        ArrayNode array = MAPPER.createArrayNode();
        for (Forward forward : forwards) {
            array.addObject().put("local", forward.local()).put("remote", forward.remote())
                    .put("protocol", forward.protocol());
        }
        return array + "\n";
    }

    /**
     * Configured forwards: a JSON array of expose requests, or gvproxy's YAML map in JSON,
     * {@code {"127.0.0.1:2222":"192.168.127.2:22","udp:127.0.0.1:5353":"192.168.127.2:53"}} (a "udp:", "tcp:" or
     * "unix:" prefix on the key gives the protocol). Blank text is no forwards.
     *
     * @throws IllegalArgumentException naming the entry that is wrong
     */
    public static List<Forward> readConfigured(String text) {
        List<Forward> forwards = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return forwards;
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (root instanceof ArrayNode array) {
            for (JsonNode element : array) {
                if (!(element instanceof ObjectNode object)) {
                    throw new IllegalArgumentException("entry " + element + " is not an object");
                }
                forwards.add(new Forward(string(object, "local", "forward"), string(object, "remote", "forward"),
                        string(object, "protocol", "forward")));
            }
        } else if (root instanceof ObjectNode map) {
            for (Map.Entry<String, JsonNode> entry : map.properties()) {
                if (!entry.getValue().isTextual()) {
                    throw new IllegalArgumentException("entry " + entry.getKey() + ": the remote must be a string");
                }
                String key = entry.getKey();
                String protocol = "tcp";
                for (String prefix : List.of("tcp:", "udp:", "unix:")) {
                    if (key.startsWith(prefix)) {
                        protocol = prefix.substring(0, prefix.length() - 1);
                        key = key.substring(prefix.length());
                    }
                }
                forwards.add(new Forward(key, entry.getValue().asText(), protocol));
            }
        } else {
            throw new IllegalArgumentException("expected a JSON array or object, got " + root.getNodeType()
                    .toString().toLowerCase(Locale.ROOT));
        }
        for (Forward forward : forwards) {
            if (forward.local().isEmpty()) {
                throw new IllegalArgumentException("forward to " + forward.remote() + " has no local address");
            }
        }
        return forwards;
    }

    private static ObjectNode object(String body, String type) {
        if (body.isBlank()) {
            throw new IllegalArgumentException("EOF");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode object)) {
            throw new IllegalArgumentException("json: cannot unmarshal " + goKind(root) + " into Go value of type types."
                    + type);
        }
        return object;
    }

    /** A string field by case-insensitive name, "" when absent or null. */
    private static String string(ObjectNode object, String name, String type) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!field.getKey().equalsIgnoreCase(name) || field.getValue().isNull()) {
                continue;
            }
            if (!field.getValue().isTextual()) {
                throw new IllegalArgumentException("json: cannot unmarshal " + goKind(field.getValue())
                        + " into Go struct field " + type + "." + name + " of type string");
            }
            return field.getValue().asText();
        }
        return "";
    }

    private static String goKind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "array";
            case OBJECT, POJO -> "object";
            case NUMBER -> "number";
            case BOOLEAN -> "bool";
            case STRING, BINARY -> "string";
            default -> "null";
        };
    }
}
