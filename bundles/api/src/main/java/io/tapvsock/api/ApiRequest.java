package io.tapvsock.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An HTTP request as a route sees it.
 *
 * @param method "GET", "POST", ...
 * @param path the path without the query
 * @param query decoded query parameters
 * @param body the whole request body (API bodies are small)
 * @param remoteAddress the client's address as text, "" for a unix-socket client
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query, byte[] body,
        String remoteAddress) {

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The first value of a query parameter, or null. */
    public String queryParameter(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
