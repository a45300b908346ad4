package io.tapvsock.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One HTTP route of the API, registered as an OSGi service with the property {@value #PATH}. The http bundle
 * mounts every route on every API endpoint (-listen, -services). Called on an HTTP worker thread.
 */
@ConsumerType
public interface ApiRoute {

    /** Service property: the exact request path served, e.g. "/stats". */
    String PATH = "tapvsock.api.path";

    /**
     * Serves one request. An IllegalArgumentException becomes 400 with its message as the body; any other
     * exception becomes 500 with its message.
     */
    ApiResponse handle(ApiRequest request) throws Exception;
}
