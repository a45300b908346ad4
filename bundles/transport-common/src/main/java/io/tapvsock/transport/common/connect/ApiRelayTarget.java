package io.tapvsock.transport.common.connect;

import java.nio.file.Path;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The HTTP API (every ApiRoute the http bundle mounts; no /connect) on a private unix stream socket, registered
 * by the http bundle as a service, for endpoints Jetty cannot accept itself (gvproxy's {@code -listen vsock://}).
 * Such an endpoint reads a connection's first request head; when it is not {@code POST /connect} it connects
 * here and relays the connection's bytes both ways, those it already read first. The service exists while
 * someone uses it (a delayed DS component), so the socket is only there when an endpoint needs it.
 */
@ProviderType
public interface ApiRelayTarget {

    /** The socket to connect to (mode 0600 in a directory of mode 0700). Any thread. */
    Path socket();
}
