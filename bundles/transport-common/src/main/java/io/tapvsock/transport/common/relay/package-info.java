/**
 * Bytes relayed between two stream channels on the network loop, a host socket and a connection into a guest,
 * with backpressure and half-close both ways: {@link io.tapvsock.transport.common.relay.ByteRelay}. Port
 * forwarding and tunnels use it.
 */
@Export
@Version("1.0.0")
package io.tapvsock.transport.common.relay;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
