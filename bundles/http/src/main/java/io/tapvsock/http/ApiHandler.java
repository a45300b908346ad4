package io.tapvsock.http;

import io.tapvsock.api.ApiRequest;
import io.tapvsock.api.ApiResponse;
import io.tapvsock.api.ApiRoute;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The one Jetty handler of an endpoint: finds the route for the exact path, hands it an {@link ApiRequest} and
 * writes its {@link ApiResponse}. Unknown path 404, body over {@value #MAX_BODY_BYTES} bytes 413, a route's
 * IllegalArgumentException 400 and any other exception 500, each with a text reason. A blocking handler, so
 * Jetty calls it on a pool thread and routes may block.
 */
final class ApiHandler extends Handler.Abstract {

    static final int MAX_BODY_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(ApiHandler.class.getName());

    private final RouteTable routes;

    ApiHandler(RouteTable routes) {
        this.routes = routes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        write(response, callback, serve(request));
        return true;
    }

    private ApiResponse serve(Request request) {
        String path = Request.getPathInContext(request);
        ApiRoute route = routes.lookup(path);
        if (route == null) {
            return ApiResponse.text(404, "no such API path: " + path);
        }
        byte[] body;
        Map<String, List<String>> query;
        try {
            body = readBody(request);
            query = query(request);
        } catch (BodyTooLargeException e) {
            return ApiResponse.text(413, e.getMessage());
        } catch (IllegalArgumentException | IOException e) {
            return ApiResponse.text(400, "bad request: " + e.getMessage());
        }
        ApiRequest apiRequest = new ApiRequest(request.getMethod(), path, query, body, remoteAddress(request));
        try {
            ApiResponse response = route.handle(apiRequest);
            return response != null ? response : ApiResponse.ok();
        } catch (IllegalArgumentException e) {
            return ApiResponse.text(400, String.valueOf(e.getMessage()));
        } catch (Exception e) {
            LOG.log(Level.WARNING, request.getMethod() + " " + path + " failed", e);
            return ApiResponse.text(500, String.valueOf(e.getMessage()));
        }
    }

    private static byte[] readBody(Request request) throws IOException {
        if (request.getLength() > MAX_BODY_BYTES) {
            throw new BodyTooLargeException();
        }
        try (InputStream in = Request.asInputStream(request)) {
            byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
            if (body.length > MAX_BODY_BYTES) {
                throw new BodyTooLargeException();
            }
            return body;
        }
    }

    private static Map<String, List<String>> query(Request request) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        for (Fields.Field field : Request.extractQueryParameters(request)) {
            query.put(field.getName(), List.copyOf(field.getValues()));
        }
        return query;
    }

    /** The client's IP as text; "" for a unix-socket client. */
    private static String remoteAddress(Request request) {
        return request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress inet
                && inet.getAddress() != null ? inet.getAddress().getHostAddress() : "";
    }

    private static void write(Response response, Callback callback, ApiResponse apiResponse) {
        byte[] body = apiResponse.body() == null ? new byte[0] : apiResponse.body();
        response.setStatus(apiResponse.status());
        if (apiResponse.contentType() != null) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, apiResponse.contentType());
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static final class BodyTooLargeException extends IOException {
        BodyTooLargeException() {
            super("request body over " + MAX_BODY_BYTES + " bytes");
        }
    }
}
