package io.tapvsock.api;

import java.nio.charset.StandardCharsets;

/** An HTTP response from a route. */
public record ApiResponse(int status, String contentType, byte[] body) {

    public static ApiResponse json(String json) {
        return new ApiResponse(200, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse text(int status, String text) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    public static ApiResponse ok() {
        return new ApiResponse(200, "text/plain; charset=utf-8", new byte[0]);
    }

    public static ApiResponse methodNotAllowed(String method) {
        return text(405, "method " + method + " not allowed");
    }
}
