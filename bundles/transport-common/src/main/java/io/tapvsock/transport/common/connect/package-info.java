/**
 * gvproxy's {@code -listen} connections, whatever accepts them (Jetty for unix and tcp, the vsock transport for
 * AF_VSOCK): {@link io.tapvsock.transport.common.connect.ConnectRequest}, the one judge of a {@code POST /connect}
 * request head (compat.md section 3), and {@link io.tapvsock.transport.common.connect.ApiRelayTarget}, where an
 * endpoint that cannot speak HTTP itself sends the connections that are not /connect.
 */
@Export
@Version("1.0.0")
package io.tapvsock.transport.common.connect;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
