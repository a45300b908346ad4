/**
 * Contracts between tapvsock's bundles: the virtual network and its ports, gateway services, statistics and
 * API routes, plus small immutable values (addresses, settings). No logic lives here.
 *
 * <p>ByteBuf ownership is stated on every parameter with one of three phrases: "borrowed: not retained after
 * return", "transferred: callee releases", "returns a retained slice: caller releases".
 */
@Export
@Version("1.5.0")
package io.tapvsock.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
